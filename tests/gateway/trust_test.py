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

    # Trust kept current by the gateway itself ([trust] registry, sync_every): a chain of vouches
    # published to a registry admits an agent two hops away, and a revocation published there
    # takes effect without anyone running a command.
    for name in ("bob", "carol", "dave"):
        homes[name] = os.path.join(work, name)
        run([AIP, "init", "--name", name], home=homes[name])
    bob, carol = gwlib.did_of(homes["bob"]), gwlib.did_of(homes["carol"])
    reg_log = os.path.join(work, "registry.log")
    gwlib.start([AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{work}/registry/registry.db"], reg_log,
                dict(os.environ, AIP_HOME=os.path.join(work, "registry-home")))
    registry = "http://127.0.0.1:" + gwlib.wait_log(reg_log, r'"event":"registry_listening".*?"port":(\d+)').group(1)
    for name in ("operator", "bob", "carol", "dave"):
        r = run([AIP, "register", "--registry", registry], home=homes[name])
        check(f"{name} registers", r.returncode == 0, r.stderr)
    r = run([AIP, "vouch", bob, "--scope", "tools:tasks.*", "--weight", "0.9", "--publish", "--registry", registry], home=homes["operator"])
    check("the operator vouches for bob, published", r.returncode == 0 and "published" in r.stderr, r.stderr)
    r = run([AIP, "vouch", carol, "--scope", "tools:tasks.*", "--weight", "0.9", "--publish", "--registry", registry], home=homes["bob"])
    check("bob vouches for carol, published", r.returncode == 0 and "published" in r.stderr, r.stderr)
    bob_vouch = r.stderr.split(": sha256:")[1].split()[0] if ": sha256:" in r.stderr else ""
    fed_port = free_port()
    fed_url = f"http://127.0.0.1:{fed_port}/mcp"
    fed_config = f"""
[gateway]
listen = "127.0.0.1:{fed_port}"
[trust]
db = "{os.path.join(work, "fed-trust.db")}"
anchors = ["{operator}"]
registry = "{registry}"
sync_every = "1s"
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "trusted-agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
require = {{ trust = {{ min = 0.5, scope = "tools:tasks.*" }} }}
"""
    fed_log = gwlib.start_gateway(fed_config, env, homes["gateway"], name="gateway-fed")

    def fed_call(name):
        return run([AIP, "call", fed_url, "tasks.list_tasks", "--args", '{"project":"project-a"}'], home=homes[name])

    ok, detail = eventually(lambda: ((r := fed_call("carol")).returncode == 0, r.stdout + r.stderr))
    check("the gateway syncs from the registry by itself: carol (operator → bob → carol, 0.9 × 0.9) is admitted", ok, detail)
    r = fed_call("dave")
    check("dave, with no path, is refused", r.returncode != 0, r.stdout + r.stderr)
    r = run([AIP, "revoke", "sha256:" + bob_vouch, "--publish", "--registry", registry], home=homes["bob"])
    check("bob revokes his vouch for carol, published", r.returncode == 0 and "published" in r.stderr, r.stderr)
    ok, detail = eventually(lambda: ((r := fed_call("carol")).returncode != 0, r.stdout + r.stderr))
    check("within the sync interval carol is refused, nobody having run a command", ok, detail)
    log = open(fed_log).read()
    check("each sync is logged with its counts", '"event":"trust_sync"' in log and '"revocations":1' in log, log[-600:])
    base = fed_url.rsplit("/", 1)[0]
    ready = json.loads(gwlib.get(base + "/readyz")[1])
    check("/readyz says when the trust store last synced", ready.get("trust_sync", {}).get("ok") is True
          and ready["trust_sync"].get("last_success"), json.dumps(ready))
    metrics = gwlib.get(base + "/metrics")[1]
    check("and /metrics counts the syncs", 'aip_trust_sync_total{result="ok"}' in metrics
          and 'aip_trust_sync_documents_total{kind="revocations"} 1' in metrics,
          "\n".join(l for l in metrics.splitlines() if "trust_sync" in l))
    r = run([AIP, "trust", "sync", "--config", os.path.join(work, "gateway-fed.toml")], home=homes["gateway"],
            env_extra={"TASKS_KEY": env["TASKS_KEY"]})
    check("aip trust sync --config syncs the gateway's store from its registry and anchors",
          r.returncode == 0 and f"synced from {registry}" in r.stdout, r.stdout + r.stderr)
    gwlib.procs[-2].terminate()  # The registry goes away: the last view stays.
    gwlib.procs[-2].wait(timeout=10)
    time.sleep(2.5)
    ready = json.loads(gwlib.get(base + "/readyz")[1])
    check("a registry that is down leaves the view in force, and says so", ready.get("trust_sync", {}).get("ok") is False
          and "trust_sync_failed" in open(fed_log).read() and fed_call("carol").returncode != 0, json.dumps(ready))
finally:
    sys.exit(gwlib.finish())
