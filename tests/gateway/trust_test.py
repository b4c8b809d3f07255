#!/usr/bin/env python3
"""Trust-gated tools through aip gateway, end to end, without restarting it: an agent with no
vouch path from the gateway's anchors is denied a tool whose rule requires trust; after an anchor
vouches for it (`aip vouch`, then `aip trust import` into the gateway's store) it is allowed;
after the anchor revokes the vouch (`aip revoke`, imported the same way) it is denied again. The
audit log carries the caller's score and path; the CLI scores and explains.

Usage: trust_test.py BIN_DIR
"""
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, check, free_port, run

work = gwlib.init("aip-trust-")


def call(home):
    return run([AIP, "call", url, "tasks.list_tasks", "--args", '{"project":"project-a"}'], home=home)


def eventually(predicate, seconds=5):
    """The gateway re-reads its trust store about once a second."""
    deadline = time.time() + seconds
    while True:
        ok, detail = predicate()
        if ok or time.time() > deadline:
            return ok, detail
        time.sleep(0.2)


try:
    homes = {n: os.path.join(work, n) for n in ("gateway", "operator", "agent", "stranger")}
    for name, home in homes.items():
        run([AIP, "init", "--name", name], home=home)
    operator, agent = gwlib.did_of(homes["operator"]), gwlib.did_of(homes["agent"])
    env = dict(os.environ, TASKS_KEY="tasks-key-" + os.urandom(8).hex())
    tasks_url, _ = gwlib.start_tasks_server(env)
    gw_db = os.path.join(work, "gateway-trust.db")
    audit = os.path.join(work, "audit.jsonl")
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
[audit]
path = "{audit}"
[trust]
db = "{gw_db}"
anchors = ["{operator}"]
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "trusted-agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
require = {{ trust = {{ min = 0.5, scope = "tools:tasks.*" }} }}
""", env, homes["gateway"])

    r = call(homes["agent"])
    check("an agent with no path from the anchors is denied the trust-gated tool", r.returncode != 0, r.stdout + r.stderr)

    vouch_file = os.path.join(work, "vouch.json")
    r = run([AIP, "vouch", agent, "--scope", "tools:tasks.*", "--weight", "0.9", "--statement", "runs our CI",
             "--expires", "30d", "--out", vouch_file], home=homes["operator"])
    check("aip vouch signs a vouch", r.returncode == 0 and os.path.exists(vouch_file), r.stderr)
    vouch = json.load(open(vouch_file))
    check("the vouch is a VC 2.0 with an eddsa-jcs-2022 proof", vouch["type"] == ["VerifiableCredential", "AipVouch"]
          and vouch["proof"]["cryptosuite"] == "eddsa-jcs-2022" and vouch["credentialSubject"]["id"] == agent, json.dumps(vouch))
    tampered = dict(vouch, credentialSubject=dict(vouch["credentialSubject"], weight=1))
    json.dump(tampered, open(os.path.join(work, "tampered.json"), "w"))
    r = run([AIP, "trust", "import", os.path.join(work, "tampered.json"), "--db", gw_db], home=homes["gateway"])
    check("a tampered vouch is refused on import (exit 1)", r.returncode == 1, r.stdout + r.stderr)
    r = run([AIP, "trust", "import", vouch_file, "--db", gw_db], home=homes["gateway"])
    check("the gateway's store imports the vouch", r.returncode == 0 and "vouch sha256:" in r.stdout, r.stdout + r.stderr)
    ok, detail = eventually(lambda: ((r := call(homes["agent"])).returncode == 0, r.stdout + r.stderr))
    check("after the anchor vouches for it, the agent is allowed (no restart)", ok, detail)
    r = call(homes["stranger"])
    check("another agent is still denied", r.returncode != 0, r.stdout + r.stderr)

    lines = [json.loads(l) for l in open(audit) if '"decision"' in l]
    allowed = [l for l in lines if l.get("decision") == "allow"]
    check("the audit line carries the caller's score and path",
          allowed and abs(allowed[-1]["trust"]["score"] - 0.72) < 0.01 and allowed[-1]["trust"]["path"] == [operator, agent],
          json.dumps(allowed[-1] if allowed else lines[-1:]))

    r = run([AIP, "trust", "score", agent, "--db", gw_db, "--anchor", operator, "--scope", "tools:tasks.list_tasks", "--explain"],
            home=homes["gateway"])
    check("aip trust score --explain shows the path", r.returncode == 0 and r.stdout.startswith("0.72") and operator in r.stdout
          and agent in r.stdout, r.stdout + r.stderr)
    r = run([AIP, "trust", "score", agent, "--db", gw_db, "--anchor", operator, "--scope", "FINANCIAL"], home=homes["gateway"])
    check("scores are per scope", r.returncode == 0 and r.stdout.startswith("0.0000"), r.stdout + r.stderr)

    revocation = os.path.join(work, "revocation.json")
    vouch_id = run([AIP, "trust", "import", vouch_file], home=homes["operator"]).stdout.split()[2]
    r = run([AIP, "revoke", vouch_id[:20], "--out", revocation], home=homes["operator"])
    check("the operator revokes its vouch", r.returncode == 0 and os.path.exists(revocation), r.stdout + r.stderr)
    r = run([AIP, "trust", "import", revocation, "--db", gw_db], home=homes["gateway"])
    check("the gateway's store imports the revocation", r.returncode == 0 and "revocation of" in r.stdout, r.stdout + r.stderr)
    ok, detail = eventually(lambda: ((r := call(homes["agent"])).returncode != 0, r.stdout + r.stderr))
    check("after the revocation, the agent is denied again (no restart)", ok, detail)
    r = run([AIP, "trust", "import", vouch_file, "--db", gw_db], home=homes["gateway"])
    check("the revoked vouch posted again stays revoked", r.returncode == 1 and "revoked" in r.stderr, r.stdout + r.stderr)
    r = run([AIP, "revoke", vouch_id[:20]], home=homes["agent"])
    check("only the issuer can revoke", r.returncode != 0, r.stdout + r.stderr)
finally:
    sys.exit(gwlib.finish())
