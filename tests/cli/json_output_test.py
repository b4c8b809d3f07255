#!/usr/bin/env python3
"""The CLI's promises, checked as a user meets them (issue "the first hour"): --json output that
parses on the commands that print data, no secret repeated in an error, one note per signer,
plain messages for plain mistakes, `whoami` without a passphrase, one's own did:aip resolved,
`policy check` on a request without params, and `--stdio` without `--audience`.

Usage: json_output_test.py BIN_DIR"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
import gwlib  # noqa: E402  (check and finish: the tests' shared counting)
from gwlib import check  # noqa: E402

BIN = sys.argv[1]
AIP = os.path.join(BIN, "aip")


def run(*args, env_extra=None, stdin=None):
    env = dict(os.environ, AIP_HOME=HOME, **(env_extra or {}))
    env.pop("AIP_PRIVATE_KEY", None)
    env.pop("AIP_PASSPHRASE", None)
    if env_extra:
        env.update(env_extra)
    return subprocess.run([AIP, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60)


def json_of(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


work = gwlib.init("aip-cli-")
HOME = os.path.join(work, "home")

r = run("init", "--name", "first-hour", "--encrypt", env_extra={"AIP_PASSPHRASE": "correct horse"})
check("init --encrypt", r.returncode == 0, r.stdout + r.stderr)
r = run("whoami")
check("whoami on an encrypted identity needs no passphrase", r.returncode == 0 and "did:key:" in r.stdout and "not opened" in r.stdout,
      r.stdout + r.stderr)
me = json_of(run("whoami", "--json"))
check("whoami --json", me is not None and me.get("encrypted") is True and me["did"].startswith("did:key:"), str(me))
r = run("did", "resolve", me["did_aip"], env_extra={"AIP_PASSPHRASE": "correct horse"})
check("did resolve of one's own did:aip", r.returncode == 0 and me["did"].split(":")[-1] in r.stdout, r.stdout + r.stderr)

unlocked = {"AIP_PASSPHRASE": "correct horse"}
doc = os.path.join(work, "doc.txt")
with open(doc, "w") as f:
    f.write("hello\n")
signed = json_of(run("sign", doc, "--json", env_extra=unlocked))
check("sign --json", signed is not None and signed.get("signature") == doc + ".sig", str(signed))
os.makedirs(os.path.join(work, "dir"))
with open(os.path.join(work, "dir", "a.txt"), "w") as f:
    f.write("a\n")
manifest = json_of(run("sign-dir", os.path.join(work, "dir"), "--json", env_extra=unlocked))
check("sign-dir --json", manifest is not None and manifest.get("files") == 1, str(manifest))

other = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
added = json_of(run("trust", "anchors", "add", other, "--json"))
check("trust anchors add --json", added == {"anchor_added": other}, str(added))
anchors = json_of(run("trust", "anchors", "list", "--json"))
check("trust anchors list --json", anchors is not None and {"did": other, "self": False} in anchors and any(a["self"] for a in anchors),
      str(anchors))
removed = json_of(run("trust", "anchors", "remove", other, "--json"))
check("trust anchors remove --json", removed == {"anchor_removed": other}, str(removed))

db = os.path.join(work, "keys.db")
created = json_of(run("apikey", "create", "--db", db, "--name", "ci", "--json"))
check("apikey create --json holds the key once", created is not None and created["key"].startswith("aip_"), str(created))
key = created["key"]
r = run("apikey", "rotate", "--db", db, key)
check("apikey rotate given the whole key: refused, the secret not repeated", r.returncode == 2 and key not in r.stdout + r.stderr
      and key.split("_")[2] not in r.stdout + r.stderr, r.stdout + r.stderr)
rotated = json_of(run("apikey", "rotate", "--db", db, created["id"], "--json"))
check("apikey rotate --json", rotated is not None and rotated["key"] != key, str(rotated))
revoked = json_of(run("apikey", "revoke", "--db", db, rotated["id"], "--json"))
check("apikey revoke --json", revoked == {"revoked": rotated["id"]}, str(revoked))
listed = json_of(run("apikey", "list", "--db", db, "--json"))
check("apikey list --json", isinstance(listed, list) and len(listed) == 2, str(listed))

config = os.path.join(work, "gateway.toml")
with open(config, "w") as f:
    f.write('[gateway]\nlisten = "127.0.0.1:0"\n\n[[rule]]\nid = "r"\neffect = "allow"\ntargets = ["*"]\n')
checked = json_of(run("gateway", "check-config", config, "--json"))
check("gateway check-config --json", checked is not None and checked["ok"] is True and checked["rules"] == 1, str(checked))
with open(config, "a") as f:
    f.write('[trust]\nanchor = ["%s"]\n' % other)
r = run("gateway", "check-config", config)
check("a typo in a config field names the field meant", r.returncode != 0 and 'did you mean "anchors"' in r.stderr, r.stderr)
request = os.path.join(work, "list.json")
with open(request, "w") as f:
    f.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
with open(config, "w") as f:
    f.write('[gateway]\nlisten = "127.0.0.1:0"\n')
listed = json_of(run("policy", "check", "--config", config, "--principal", other, "--request", request))
check("policy check of a request without params (tools/list)", listed is not None and listed["decision"] == "filtered", str(listed))

doctor = json_of(run("doctor", "--json"))
check("doctor --json", doctor is not None and isinstance(doctor.get("checks"), list) and doctor["failures"] == 0, str(doctor))

tasks = [os.path.join(BIN, "example-tasks-server"), "--stdio", "--sign-results"]
r = run("tools", "--stdio", " ".join(tasks), env_extra=unlocked)
check("tools --stdio without --audience: unsigned, with a note", r.returncode == 0 and "list_tasks" in r.stdout and
      "not signed" in r.stderr, r.stdout + r.stderr)
r = run("call", "--stdio", " ".join(tasks), "list_tasks", "--args", '{"project":"project-a"}', env_extra=unlocked)
check("results signed by the server: said once", r.returncode == 0 and r.stderr.count("signed by") == 1, r.stderr)
r = run("call", "http://127.0.0.1:9/mcp")
check("call without a tool says so", r.returncode == 2 and "expected a tool name" in r.stderr, r.stderr)

sys.exit(gwlib.finish())
