#!/usr/bin/env python3
"""Walks `aip --help` through every subcommand and checks the CLI's promises (README, "The
command line"): the Usage line names `aip`, every positional and option is described, and every
command that prints data takes --json (the commands that only run a server or write a file are
listed below, each with why).

Usage: help_walk.py path/to/aip [--list]"""
import re
import subprocess
import sys

# Commands that print no data of their own: they run a server or a relay, or only write files
# or state, printing one confirmation line.
NO_DATA = {
    "gateway": "runs the gateway",
    "proxy": "relays MCP on stdio",
    "registry serve": "runs a registry",
    "logout": "forgets a sign-in",
    "canonicalize": "prints the JSON document itself",
    "audit witness": "runs a witness",
}


def help_of(aip, path):
    out = subprocess.run([aip, *path, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit(f"aip {' '.join(path)} --help exited {out.returncode}: {out.stderr}")
    return out.stdout


def sections(text):
    """Maps a help section title (Options, Positionals, Subcommands) to its entries."""
    found, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):\s*$", line)
        if m:
            current = m.group(1)
            found[current] = []
            continue
        if current and line.startswith("  "):
            found[current].append(line)
        elif current and line.strip() == "":
            current = None
    return found


def walk(aip, path, leaves, problems):
    text = help_of(aip, path)
    usage = next((l for l in text.splitlines() if l.startswith("Usage:")), "")
    if not usage.startswith("Usage: aip"):
        problems.append(f"aip {' '.join(path)}: Usage line is {usage!r}, not 'Usage: aip …'")
    parts = sections(text)
    for title in ("Positionals", "Options"):
        entries = parts.get(title, [])
        for i, entry in enumerate(entries):
            # An entry is "  NAME TYPE   description"; a long one's description continues on the
            # next, further indented line.
            if not re.match(r"^ {2}\S", entry):
                continue
            continued = i + 1 < len(entries) and re.match(r"^ {6,}\S", entries[i + 1])
            words = [w for w in entry.split() if not re.match(r"^(-|[A-Z]+(:.*)?$|\.\.\.$|REQUIRED$|Excludes|Needs|\[)", w)]
            if not continued and len(re.split(r"\s{2,}", entry.strip())) < 2 and len(words) < 2:
                problems.append(f"aip {' '.join(path)}: {title.lower()[:-1]} {entry.strip()!r} has no description")
    subs = [re.split(r"\s{2,}", e.strip())[0] for e in parts.get("Subcommands", []) if re.match(r"^ {2}\S", e)]
    if not subs:
        leaves.append((path, text))
    for sub in subs:
        walk(aip, [*path, sub], leaves, problems)


def main():
    aip = sys.argv[1]
    leaves, problems = [], []
    walk(aip, [], leaves, problems)
    for path, text in leaves:
        name = " ".join(path)
        if "--list" in sys.argv:
            print(name, "json" if "--json" in text else "")
        if name not in NO_DATA and "--json" not in text:
            problems.append(f"aip {name}: prints data but takes no --json")
    for p in problems:
        print("FAIL", p)
    print(f"{len(leaves)} commands walked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
