#!/usr/bin/env python3
"""API keys through aip gateway, end to end: keys made, listed, rotated and revoked with the aip
CLI; callers use them with `aip call --api-key-env` and raw HTTP (X-Api-Key, Authorization:
Bearer). Checks: scopes and the per-key tool allowlist reach policy (calls and lists), bad,
revoked and expired keys get 401 with a Bearer challenge, revocation reaches a running gateway,
rotation keeps the old key for its overlap, last use (time and address) is recorded, and no key
ever reaches the upstream, the gateway's log or its audit log. The gateway runs its calls on
handler threads here (`event_loop = false`).

Usage: apikey_test.py BIN_DIR
"""
import json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, check, free_port, post, run

work = gwlib.init("aip-apikey-")
# tasks tools mirror their project argument into a header (2026-07-28 routing headers).
PROJECT = {"mcp-param-project": "project-a"}


def apikey(*args):
    return run([AIP, "apikey", *args, "--db", db], home=home)


def new_key(*args):
    r = apikey("create", *args)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def key_id(key):
    return key.split("_")[1]


try:
    home = os.path.join(work, "home")
    db = os.path.join(work, "keys", "gateway.db")
    run([AIP, "init", "--name", "gateway"], home=home)

    reader = new_key("--name", "reader", "--scopes", "tasks:read", "--tools", "tasks.list_*")
    writer = new_key("--name", "writer", "--scopes", "tasks:read,tasks:write")
    doomed = new_key("--name", "doomed", "--scopes", "tasks:read")
    short = new_key("--name", "short", "--scopes", "tasks:read", "--expires", "2s")
    check("a key is aip_<16 hex>_<base58 of 32 bytes>",
          reader.startswith("aip_") and len(key_id(reader)) == 16 and len(reader.split("_")[2]) >= 43, reader)
    listed = json.loads(apikey("list").stdout)
    check("list shows every key, no secret", len(listed) == 4 and all(k.split("_")[2] not in json.dumps(listed)
                                                                      for k in (reader, writer, doomed, short)))
    check("list shows scopes, tools, expiry", any(k["name"] == "reader" and k["tools"] == ["tasks.list_*"]
                                                  and k["scopes"] == ["tasks:read"] and k["expires"] is None for k in listed)
          and any(k["name"] == "short" and k["expires"] for k in listed), json.dumps(listed))
    check("the key database is private", oct(os.stat(db).st_mode & 0o777) == "0o600"
          and oct(os.stat(db + ".hashkey").st_mode & 0o777) == "0o600")

    upstream_key = "upstream-key-" + os.urandom(8).hex()
    env = dict(os.environ, TASKS_KEY=upstream_key)
    tasks_url, recorded_path = gwlib.start_tasks_server(env)

    port = free_port()
    # This suite runs the gateway on handler threads (event_loop = false), the others on event
    # loops (the default): both ways stay tested end to end.
    gw_log = gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
event_loop = false
[auth]
api_keys = true
api_key_db = "{db}"
[audit]
path = "audit.jsonl"
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "readers-list"
effect = "allow"
kinds = ["api_key"]
scopes = ["tasks:read"]
targets = ["list_tasks"]
[[rule]]
id = "writers-write"
effect = "allow"
kinds = ["api_key"]
scopes = ["tasks:write"]
targets = ["create_task"]
""", env, home)
    url = f"http://127.0.0.1:{port}/mcp"
    check("the gateway says it runs its calls on handler threads", '"event":"handlers","mode":"threads"' in open(gw_log).read())

    def call(key, tool, args, *extra):
        # As docs/apikeys.md writes it: an API key names the caller, so the call is not signed.
        return run([AIP, "call", url, tool, "--api-key-env", "CALLER_KEY", "--args", json.dumps(args), "--json", *extra],
                   env_extra={"CALLER_KEY": key}, home=home)

    r = call(reader, "tasks.list_tasks", {"project": "project-a"})
    check("aip call with an API key: the reader lists tasks", r.returncode == 0 and "task" in r.stdout, r.stdout + r.stderr)
    r = call(writer, "tasks.create_task", {"project": "project-a", "title": "from a key"})
    check("the writer's scope allows create_task", r.returncode == 0, r.stdout + r.stderr)
    st, _, resp = post(url, "tools/call", {"name": "tasks.create_task", "arguments": {"project": "project-a", "title": "x"}},
                       headers={**PROJECT, "x-api-key": reader})
    check("the reader may not create: a denial the client can show (200, -31003, the reason)",
          st == 200 and resp["error"]["code"] == -31003 and resp["error"]["data"]["reason"] == "credential_tools"
          and "limited to other tools" in resp["error"]["message"], f"{st} {resp}")
    # The MCP Inspector CLI, an off-the-shelf client, shows that reason too (no OAuth detour).
    inspector = subprocess.run([gwlib.NODE, gwlib.INSPECTOR_CLI,
                                url, "--method", "tools/call", "--tool-name", "tasks.create_task",
                                "--tool-arg", "project=project-a", "--tool-arg", "title=x", "--header", "X-Api-Key: " + reader],
                               capture_output=True, text=True, timeout=60)
    shown = inspector.stdout + inspector.stderr
    check("the MCP Inspector CLI shows the denial's reason", "limited to other tools" in shown and "auth" not in shown.lower(), shown)

    # The tool allowlist holds whatever the rules say: give the reader the write scope's rule too.
    limited = new_key("--name", "limited", "--scopes", "tasks:read,tasks:write", "--tools", "tasks.list_*")
    time.sleep(1.2)  # The gateway notices new keys within a second.
    st, _, resp = post(url, "tools/call", {"name": "tasks.create_task", "arguments": {"project": "project-a", "title": "x"}},
                       headers={**PROJECT, "x-api-key": limited})
    check("a key's tool allowlist denies tools outside it, whatever the scopes",
          st == 200 and resp["error"]["data"]["rule"] == "credential_tools", f"{st} {resp}")
    st, _, resp = post(url, "tools/list", {}, headers={"authorization": "Bearer " + limited})
    names = [t["name"] for t in resp.get("result", {}).get("tools", [])]
    check("Authorization: Bearer works too, and lists show only the allowlisted tools", st == 200 and names == ["tasks.list_tasks"],
          f"{st} {names}")
    st, _, resp = post(url, "tools/list", {}, headers={"x-api-key": writer})
    names = sorted(t["name"] for t in resp.get("result", {}).get("tools", []))
    check("the writer sees list and create", names == ["tasks.create_task", "tasks.list_tasks"], str(names))

    wrong = reader[:-4] + ("1111" if not reader.endswith("1111") else "2222")
    for label, key in [("a wrong secret", wrong), ("an unknown id", "aip_0123456789abcdef_" + reader.split("_")[2]),
                       ("a malformed key", "aip_nope")]:
        st, h, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                           headers={**PROJECT, "x-api-key": key})
        check(f"{label} gets 401 with a Bearer challenge", st == 401 and "Bearer" in {k.lower(): v for k, v in h.items()}.get("www-authenticate", "")
              and resp["error"]["code"] == -31001, f"{st} {h} {resp}")
    r = call(wrong, "tasks.list_tasks", {"project": "project-a"})
    check("aip call reports the refusal", r.returncode != 0 and "invalid API key" in r.stderr, r.stdout + r.stderr)

    # Revocation reaches the running gateway.
    r = call(doomed, "tasks.list_tasks", {"project": "project-a"})
    check("the doomed key works before revocation", r.returncode == 0, r.stderr)
    r = apikey("revoke", key_id(doomed))
    check("aip apikey revoke", r.returncode == 0 and key_id(doomed) in r.stdout, r.stdout + r.stderr)
    r = apikey("revoke", key_id(doomed))
    check("revoking twice fails", r.returncode == 1, r.stdout + r.stderr)
    time.sleep(1.2)
    st, _, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                       headers={**PROJECT, "x-api-key": doomed})
    check("a revoked key is refused within a second", st == 401 and resp["error"]["data"]["reason"] == "revoked_api_key",
          f"{st} {resp}")

    # Expiry.
    time.sleep(2.2)
    st, _, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                       headers={**PROJECT, "x-api-key": short})
    check("an expired key is refused", st == 401 and resp["error"]["data"]["reason"] == "expired_api_key", f"{st} {resp}")

    # Rotation: both keys work during the overlap.
    r = apikey("rotate", key_id(reader), "--overlap", "1h")
    rotated = r.stdout.strip()
    check("aip apikey rotate prints a new key", r.returncode == 0 and rotated.startswith("aip_") and rotated != reader, r.stderr)
    time.sleep(1.2)
    ok_old = call(reader, "tasks.list_tasks", {"project": "project-a"}).returncode == 0
    ok_new = call(rotated, "tasks.list_tasks", {"project": "project-a"}).returncode == 0
    check("old and new keys both work during the overlap", ok_old and ok_new, f"{ok_old} {ok_new}")
    listed = {k["id"]: k for k in json.loads(apikey("list").stdout)}
    check("the rotated key keeps name, scopes and tools", listed[key_id(rotated)]["tools"] == ["tasks.list_*"]
          and listed[key_id(rotated)]["rotated_from"] == key_id(reader) and listed[key_id(reader)]["expires"])

    # Last use, written back by the gateway about once a second.
    time.sleep(1.5)
    listed = {k["id"]: k for k in json.loads(apikey("list").stdout)}
    check("last use time and address are recorded", listed[key_id(writer)]["last_used"]
          and listed[key_id(writer)]["last_used_address"] == "127.0.0.1", json.dumps(listed[key_id(writer)]))

    # No key goes anywhere but the gateway.
    recorded = [json.loads(l) for l in open(recorded_path)]
    callers = [reader, writer, doomed, short, limited, rotated]
    seen = json.dumps(recorded)
    check("the upstream saw only its own key", recorded and all(r["headers"].get("x-api-key") == upstream_key for r in recorded)
          and not any(k in seen for k in callers) and "authorization" not in seen.lower(), seen[:300])
    logs = open(gw_log).read() + open(os.path.join(work, "audit.jsonl")).read()
    check("no caller key in the gateway's log or audit log", not any(k.split("_")[2] in logs for k in callers))
    audit = [json.loads(l) for l in open(os.path.join(work, "audit.jsonl"))]
    check("the audit log names the key's principal", any(a.get("agent") == "apikey:" + key_id(writer) and a.get("kind") == "api_key"
                                                         for a in audit))
finally:
    sys.exit(gwlib.finish())
