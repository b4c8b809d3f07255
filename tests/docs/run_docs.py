#!/usr/bin/env python3
"""Runs the command blocks the documentation marks as runnable, so they cannot drift: in README.md
and docs/*.md, a fenced ```sh block right after the line `<!-- runnable -->` is executed. A
document's blocks run in order in one bash (set -euo pipefail), in a scratch directory that sees
the repository's folders, with a fresh AIP_HOME and the built `aip` and example servers (and the
Node.js the project installs) first on PATH; what they start in the background is stopped at the
end. A block fails the test by exiting non-zero.

Usage: run_docs.py REPO_DIR BIN_DIR [DOC.md ...]"""
import glob
import os
import shutil
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


failures, ran = 0, 0
for doc in docs:
    blocks = runnable_blocks(doc)
    if not blocks:
        continue
    name = os.path.relpath(doc, repo)
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
    try:
        r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=scratch, env=env, capture_output=True, text=True, timeout=180)
        ok, out = r.returncode == 0, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        ok, out = False, f"timed out\n{e.stdout or ''}{e.stderr or ''}"
    ran += len(blocks)
    print(("ok   " if ok else "FAIL ") + f"{name}: {len(blocks)} runnable block(s)")
    if os.environ.get("DOCS_VERBOSE"):
        print("\n".join("     " + l for l in out.splitlines()))
    if not ok:
        failures += 1
        print("\n".join("     " + l for l in out.splitlines()[-40:]))
    shutil.rmtree(scratch, ignore_errors=True)

print(f"{ran} runnable blocks, {failures} document(s) failed")
sys.exit(1 if failures or ran == 0 else 0)
