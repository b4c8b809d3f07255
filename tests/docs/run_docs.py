#!/usr/bin/env python3
"""Runs the command blocks the documentation marks as runnable, so they cannot drift: in README.md
and docs/*.md, a fenced ```sh block right after the line `<!-- runnable -->` is executed. A
document's blocks run in order in one bash (set -euo pipefail), in a scratch directory that sees
the repository's folders, with a fresh AIP_HOME and the built `aip` and example servers (and the
Node.js the project installs) first on PATH; what they start in the background is stopped at the
end. A block fails the test by exiting non-zero.

The other ```sh blocks are synopses (production hosts, placeholders): each `aip ...` line in them
must still name a real command and only options that command takes (checked against its --help).

Usage: run_docs.py REPO_DIR BIN_DIR [DOC.md ...]"""
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

repo, bin_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
docs = sys.argv[3:] or [os.path.join(repo, "README.md"), *sorted(glob.glob(os.path.join(repo, "docs", "*.md")))]


def runnable_blocks(path):
    """(line, text) of each block marked runnable."""
    lines = open(path, encoding="utf-8").read().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "<!-- runnable -->":
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines) or lines[j].strip() not in ("```sh", "```bash"):
                raise SystemExit(f"{path}:{i + 1}: <!-- runnable --> must come right before a ```sh block")
            k = j + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            blocks.append((j + 1, "\n".join(lines[j + 1:k])))
            i = k
        i += 1
    return blocks


def synopsis_lines(path):
    """(line, command) of each `aip ...` command in a ```sh block not marked runnable."""
    lines = open(path, encoding="utf-8").read().splitlines()
    found, i, runnable = [], 0, False
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == "<!-- runnable -->":
            runnable = True
        elif stripped in ("```sh", "```bash", "```"):
            k = i + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            if not runnable:
                command, start = "", 0
                for n in range(i + 1, k):
                    text = lines[n].strip()
                    if text.startswith("$ "):
                        text = text[2:]
                    if not command and not text.startswith("aip "):
                        continue
                    start = start or n + 1
                    command += " " + text.rstrip("\\").strip()
                    if not text.endswith("\\"):
                        found.append((start, command.strip()))
                        command, start = "", 0
            runnable, i = False, k
        elif stripped:
            runnable = runnable and stripped == "<!-- runnable -->"
            # Inline commands in prose and tables: `aip call URL TOOL [--args JSON]`.
            for m in re.finditer(r"`(aip [^`]+)`", lines[i]):
                found.append((i + 1, m.group(1)))
        i += 1
    return found


HELP = {}


def help_of(aip, path):
    """`aip PATH --help`, asked once per command (the docs name the same commands many times)."""
    key = tuple(path)
    if key not in HELP:
        HELP[key] = subprocess.run([aip, *path, "--help"], capture_output=True, text=True).stdout
    return HELP[key]


def check_synopsis(aip, command):
    """None if `command` names an aip command and options it takes, else what is wrong."""
    text = command.split(" #")[0]
    text = re.sub(r"\b([\w-]+)(?:\\?\|[\w-]+)+", r"\1", text)  # add|remove|list: the first of the choices
    text = re.sub(r"[\[\]|]", " ", text).replace("...", " ").replace("…", " ")
    try:
        words = shlex.split(text, comments=False)
    except ValueError:
        words = text.split()
    path, i = [], 1
    help_text = help_of(aip, [])
    while i < len(words) and not words[i].startswith("-"):
        sub = words[i]
        subs = re.findall(r"^  (\S+)\s", help_text.split("Subcommands:")[1], re.M) if "Subcommands:" in help_text else []
        if sub not in subs:
            break
        path.append(sub)
        help_text = help_of(aip, path)
        i += 1
    if i < len(words) and words[i].startswith("<"):
        return None  # A placeholder (`aip <command> --help`).
    if "Subcommands:" in help_text and i < len(words) and not words[i].startswith("-"):
        return f"no such command: aip {' '.join([*path, words[i]])}"
    for w in words[i:]:
        if w.startswith("--"):
            flag = w.split("=")[0]
            if not re.search(r"(^|[\s,])" + re.escape(flag) + r"([\s,=]|$)", help_text, re.M):
                return f"aip {' '.join(path)} takes no {flag}"
    return None


failures, ran, checked = 0, 0, 0
aip_bin = os.path.join(bin_dir, "aip")
for doc in docs:
    name = os.path.relpath(doc, repo)
    for line, command in synopsis_lines(doc):
        checked += 1
        problem = check_synopsis(aip_bin, command)
        if problem:
            failures += 1
            print(f"FAIL {name}:{line}: {command}\n     {problem}")
    blocks = runnable_blocks(doc)
    if not blocks:
        continue
    scratch = tempfile.mkdtemp(prefix="aip-docs-")
    for entry in ("tests", "examples", "scripts", "docs"):
        os.symlink(os.path.join(repo, entry), os.path.join(scratch, entry))
    script = ["set -euo pipefail", "trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true' EXIT"]
    for line, text in blocks:
        script += [f"echo '--- {name}:{line}' >&2", text]
    env = dict(os.environ, AIP_HOME=os.path.join(scratch, "home"),
               PATH=os.pathsep.join([bin_dir, os.path.join(repo, "tests", "node", "node_modules", ".bin"), os.environ["PATH"]]))
    for var in ("AIP_PRIVATE_KEY", "AIP_PASSPHRASE", "AIP_REGISTRY", "AIP_DID"):
        env.pop(var, None)
    # Each document's blocks run in a process group of their own, killed whole when they end:
    # a block that fails or times out must not leave a server holding its port for the next run.
    proc = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=scratch, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        timed_out = True
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # What the blocks left running, after they ended or ran out of time.
    except ProcessLookupError:
        pass
    if timed_out:
        out = "timed out\n" + (proc.communicate()[0] or "")
    ok = not timed_out and proc.returncode == 0
    ran += len(blocks)
    print(("ok   " if ok else "FAIL ") + f"{name}: {len(blocks)} runnable block(s)")
    if os.environ.get("DOCS_VERBOSE"):
        print("\n".join("     " + l for l in out.splitlines()))
    if not ok:
        failures += 1
        print("\n".join("     " + l for l in out.splitlines()[-40:]))
    shutil.rmtree(scratch, ignore_errors=True)

print(f"{ran} runnable blocks run, {checked} synopsis commands checked, {failures} failure(s)")
sys.exit(1 if failures or ran == 0 else 0)
