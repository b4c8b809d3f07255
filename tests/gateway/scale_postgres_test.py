#!/usr/bin/env python3
"""Two aip gateways sharing one API-key store in PostgreSQL, as behind a load balancer; loopback only.

A throwaway PostgreSQL cluster of the test's own (tests/registry/postgres.py), keys made, revoked
and listed with `aip apikey --db postgresql://… --hash-key-file F`, and two gateways configured
from docs/scaling.md ([apikeys] db, hash_key_file, refresh = "1s", stale_after = "4s"). Checks:
1. A key made by the CLI is served by both gateways; a new key is seen by both within refresh.
2. A revocation made once is refused by both within refresh (the time is measured and printed).
3. Last use is written back to the shared store by the gateways.
4. PostgreSQL restarted under load: every call meanwhile is served from each gateway's copy (or
   refused as the store being unavailable), and revocations made after the restart reach both
   (the gateways reconnected).
5. PostgreSQL down longer than stale_after: 503 + Retry-After, -32603 apikey_store_unavailable —
   a key revoked just before the outage cannot outlive it; logged once; served again once back.
6. A gateway never makes a PostgreSQL store's hash key, and a URL holding a password is refused.
7. Legacy (2025-era) sessions continue on either gateway (sealed ids, [gateway]
   session_secret_env): opened on one, used on the other, bound to their owner, a forged id
   refused; the official TypeScript SDK client through nginx (round robin) keeps one session
   while its calls land on both gateways.
8. The trust store in PostgreSQL ([trust] db): a vouch imported once lets an agent through on
   both gateways, its revocation imported once stops it on both.
9. No key in the gateways' logs; every audit log verifies.

Usage: scale_postgres_test.py BIN_DIR
"""
import glob, json, os, shutil, socket, subprocess, sys, threading, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "registry"))
import gwlib
import postgres
from gwlib import AIP, check, free_port, get, post, run

work = gwlib.init("aip-scale-pg-")
PROJECT = {"mcp-param-project": "project-a"}
REFRESH, STALE_AFTER = 1.0, 4.0
LEGACY = "2025-11-25"
cluster = None


def apikey(*args):
    return run([AIP, "apikey", *args, "--db", db, "--hash-key-file", hash_key], home=home)


def new_key(name):
    r = apikey("create", "--name", name, "--scopes", "tasks:read")
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def key_id(key):
    return key.split("_")[1]


def config(port, audit, hash_key_file):
    return f"""
[gateway]
listen = "127.0.0.1:{port}"
session_secret_env = "AIP_SESSION_SECRET"
[auth]
api_keys = true
[apikeys]
db = "{db}"
hash_key_file = "{hash_key_file}"
refresh = "{REFRESH:g}s"
stale_after = "{STALE_AFTER:g}s"
[trust]
db = "{trust_db}"
anchors = ["{operator}"]
[audit]
path = "{audit}"
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "trusted-agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
require = {{ trust = {{ min = 0.5, scope = "tools:tasks.*" }} }}
[[rule]]
id = "readers"
effect = "allow"
kinds = ["api_key"]
scopes = ["tasks:read"]
targets = ["list_tasks"]
"""


def list_with(url, key):
    return post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                headers={**PROJECT, "x-api-key": key})


def served(answer):
    st, _, resp = answer
    return st == 200 and isinstance(resp, dict) and "result" in resp and not resp["result"].get("isError")


def reason(answer):
    resp = answer[2]
    return isinstance(resp, dict) and resp.get("error", {}).get("data", {}).get("reason")


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name), None)


def wait_port(port):
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def each_until(predicate, limit):
    """For each gateway URL, seconds from now until predicate(url) first held (both polled in
    turn every 50 ms), or None for one where it had not after `limit` seconds."""
    t0, seen = time.monotonic(), [None] * len(urls)
    while time.monotonic() - t0 < limit and None in seen:
        for i, u in enumerate(urls):
            if seen[i] is None and predicate(u):
                seen[i] = time.monotonic() - t0
        time.sleep(0.05)
    return seen


try:
    cluster = postgres.Cluster()
    db = cluster.database("apikeys")
    home = os.path.join(work, "home")
    run([AIP, "init", "--name", "gateway"], home=home)
    trust_db = cluster.database("trust")
    homes = {n: os.path.join(work, n) for n in ("operator", "agent")}
    for name, h in homes.items():
        run([AIP, "init", "--name", name], home=h)
    operator, agent = gwlib.did_of(homes["operator"]), gwlib.did_of(homes["agent"])
    hash_key = os.path.join(work, "secrets", "apikeys.hashkey")

    alice = new_key("alice")
    doomed = new_key("doomed")
    check("the CLI made the shared hash key, private", oct(os.stat(hash_key).st_mode & 0o777) == "0o600")
    listed = json.loads(apikey("list").stdout)
    check("the keys are in PostgreSQL, listed without secrets", {k["name"] for k in listed} == {"alice", "doomed"}
          and alice.split("_")[2] not in json.dumps(listed), json.dumps(listed))

    env = dict(os.environ, TASKS_KEY="tasks-upstream-key-for-the-postgres-scale-test",
               AIP_SESSION_SECRET=os.urandom(32).hex())
    tasks_url, _ = gwlib.start_tasks_server(env)
    urls, logs = [], []
    for i in range(2):
        port = free_port()
        logs.append(gwlib.start_gateway(config(port, os.path.join(work, f"audit-{i}.jsonl"), hash_key), env, home,
                                        name=f"gateway-{i}"))
        urls.append(f"http://127.0.0.1:{port}/mcp")

    # 1. One store, two instances.
    check("both gateways serve a key made by the CLI", all(served(list_with(u, alice)) for u in urls))
    fresh = new_key("fresh")
    seen = each_until(lambda u: served(list_with(u, fresh)), 3 * REFRESH)
    check(f"a new key is served by both within refresh ({REFRESH:g} s)", all(s is not None and s <= REFRESH + 0.5 for s in seen), str(seen))

    # 2. A revocation made once reaches every instance.
    check("the doomed key works on both", all(served(list_with(u, doomed)) for u in urls))
    r = apikey("revoke", key_id(doomed))
    check("aip apikey revoke on the shared store", r.returncode == 0, r.stderr)
    took = each_until(lambda u: reason(list_with(u, doomed)) == "revoked_api_key", 3 * REFRESH)
    print(f"revocation seen after {', '.join('never' if t is None else f'{t:.2f} s' for t in took)} (refresh {REFRESH:g} s)")
    check("a revoked key is refused by both within refresh", all(t is not None and t <= REFRESH + 0.5 for t in took), str(took))

    # 3. Last use, written back in batches by whichever gateway served.
    time.sleep(REFRESH + 0.5)
    listed = {k["name"]: k for k in json.loads(apikey("list").stdout)}
    check("last use is recorded in the shared store", listed["alice"]["last_used"]
          and listed["alice"]["last_used_address"] == "127.0.0.1", json.dumps(listed["alice"]))

    # 4. PostgreSQL restarted under load: calls meanwhile are served from each gateway's copy.
    answers, stop = [], threading.Event()

    def load(i):
        while not stop.is_set():
            answer = list_with(urls[i % 2], alice)
            answers.append("served" if served(answer) else reason(answer) or f"{answer[0]} {str(answer[2])[:120]}")
            i += 1

    workers = [threading.Thread(target=load, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    time.sleep(0.5)
    cluster.halt()
    check("with PostgreSQL down, a valid key keeps working (the copy is fresh)", all(served(list_with(u, alice)) for u in urls))
    check("and a revoked one stays refused", all(reason(list_with(u, doomed)) == "revoked_api_key" for u in urls))
    cluster.start()
    time.sleep(0.5)
    stop.set()
    for w in workers:
        w.join()
    kinds = {a: answers.count(a) for a in set(answers)}
    print(f"PostgreSQL restarted under load: {kinds}")
    check("every call during the restart was served, or refused as the store being unavailable",
          answers and set(answers) <= {"served", "apikey_store_unavailable"}, str(kinds))
    late = new_key("late")
    seen = each_until(lambda u: served(list_with(u, late)), 6 * REFRESH)
    check("after the restart both gateways reconnect and see new keys", all(s is not None for s in seen), str(seen))
    r = apikey("revoke", key_id(late))
    took = each_until(lambda u: reason(list_with(u, late)) == "revoked_api_key", 3 * REFRESH)
    check("and revocations", all(t is not None for t in took), str(took))

    # 5. Down longer than stale_after: no copy is trusted that long; 503 until it is back.
    cluster.halt()
    refused = each_until(lambda u: reason(list_with(u, alice)) == "apikey_store_unavailable", STALE_AFTER + 3 * REFRESH)
    print(f"store down: keys refused after {', '.join('never' if t is None else f'{t:.2f} s' for t in refused)} "
          f"(stale_after {STALE_AFTER:g} s)")
    check("keys are refused once the copy is older than stale_after, not before",
          all(t is not None and STALE_AFTER - REFRESH - 0.5 <= t <= STALE_AFTER + REFRESH + 0.5 for t in refused), str(refused))
    answer = list_with(urls[0], alice)
    err = answer[2].get("error", {}) if isinstance(answer[2], dict) else {}
    check("as 503, Retry-After, -32603 apikey_store_unavailable (not the caller's fault)",
          answer[0] == 503 and header(answer[1], "retry-after") == "1" and err.get("code") == -32603
          and reason(answer) == "apikey_store_unavailable", str(answer))
    check("the gateways stay up", all(p.poll() is None for p in gwlib.procs))
    time.sleep(1.2)  # The once-a-second check.
    outages = [l for l in open(logs[0]) if '"event":"store_unavailable"' in l and '"store":"apikeys"' in l]
    check("the outage is logged", len(outages) >= 1, str(outages))
    cluster.start()
    back = each_until(lambda u: served(list_with(u, alice)), 6 * REFRESH)
    check("served again once PostgreSQL is back", all(b is not None for b in back), str(back))
    time.sleep(1.2)
    log = open(logs[0]).read()
    check("and that is logged", '"event":"store_back"' in log and '"store":"apikeys"' in log)

    # 6. Configurations that would weaken or break the shared store are refused at start.
    for name, hash_file, url, expected in [
            ("a PostgreSQL store without its hash key file", os.path.join(work, "missing.hashkey"), db, "hash key"),
            ("a password in the database URL", hash_key, db.replace("aip@", "aip:hunter2@"), "no password in the URL")]:
        gwlib.check_refused(name, config(free_port(), os.path.join(work, "bad.jsonl"), hash_file).replace(db, url), expected,
                            env, home)
    check("and made no hash key of its own", not os.path.exists(os.path.join(work, "missing.hashkey")))

    # 7. Legacy sessions on either instance.
    def legacy(url, method, params=None, key=None, session=None, http_method="POST"):
        h = {"mcp-protocol-version": LEGACY}
        if key:
            h["x-api-key"] = key
        if session:
            h["mcp-session-id"] = session
        if http_method == "DELETE":
            req = urllib.request.Request(url, headers=h, method="DELETE")
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    return r.status, {}, None
            except urllib.error.HTTPError as e:
                return e.code, {}, None
        message = {"jsonrpc": "2.0", "method": method, "params": params or {}}
        if not method.startswith("notifications/"):
            message["id"] = 1
        body = json.dumps(message).encode()
        return post(url, method, raw=body, headers=h)

    CALL = {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}
    st, h, resp = legacy(urls[0], "initialize", {"protocolVersion": LEGACY, "capabilities": {"roots": {}},
                                                 "clientInfo": {"name": "c", "version": "1"}}, alice)
    sid = header(h, "mcp-session-id") or ""
    check("initialize on gateway A opens a sealed session", st == 200 and sid.startswith("s1."), f"{st} {sid[:20]} {resp}")
    st, _, _ = legacy(urls[1], "notifications/initialized", key=alice, session=sid)
    check("gateway B takes its notifications/initialized", st == 202, str(st))
    answers = [legacy(u, "tools/call", CALL, alice, sid) for u in (urls[1], urls[0], urls[1])]
    check("the session's calls are served by B, A, B", all(served(a) for a in answers), str(answers)[:400])
    st, _, resp = legacy(urls[1], "tools/call", CALL, fresh, sid)
    check("on B the session is its owner's only: another key is refused", st == 401 and reason((st, {}, resp)) == "session_owner",
          f"{st} {resp}")
    altered = sid[:-6] + ("AAAAAA" if not sid.endswith("AAAAAA") else "BBBBBB")
    check("an altered session id is unknown on both (404)", all(legacy(u, "tools/call", CALL, alice, altered)[0] == 404 for u in urls))
    st, _, _ = legacy(urls[0], None, key=alice, session=sid, http_method="DELETE")
    check("DELETE ends it on the gateway that received it", st == 200 and legacy(urls[0], "tools/call", CALL, alice, sid)[0] == 404)

    # The official SDK client behind nginx, round robin: one session, calls on both gateways.
    nginx_dir, nginx_port = os.path.join(work, "nginx"), free_port()
    os.makedirs(nginx_dir)
    backends = "".join(f"    server {u.split('/')[2]};\n" for u in urls)
    open(os.path.join(nginx_dir, "nginx.conf"), "w").write(f"""worker_processes 1;
error_log {nginx_dir}/error.log;
pid {nginx_dir}/nginx.pid;
daemon off;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {nginx_dir}; proxy_temp_path {nginx_dir};
  upstream gateways {{
{backends}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{nginx_port};
    location / {{
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1;
      proxy_buffering off;
    }}
  }}
}}
""")
    gwlib.start([shutil.which("nginx") or "/usr/sbin/nginx", "-c", os.path.join(nginx_dir, "nginx.conf"), "-p", nginx_dir], os.path.join(work, "nginx.log"), env)
    wait_port(nginx_port)

    def tool_calls(url):
        metrics = get(url.rsplit("/", 1)[0] + "/metrics")[1]
        return sum(float(l.split()[-1]) for l in metrics.splitlines()
                   if l.startswith('aip_gateway_requests_total{method="tools/call"'))

    before = [tool_calls(u) for u in urls]
    r = subprocess.run([gwlib.NODE, os.path.join(gwlib.NODE_DIR, "sdk_cluster_test.mjs"), f"http://127.0.0.1:{nginx_port}/mcp", "10"],
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, API_KEY=alice))
    check("the TypeScript SDK client keeps one session through the load balancer", r.returncode == 0, r.stdout + r.stderr)
    spread = [tool_calls(u) - b for u, b in zip(urls, before)]
    check("and its calls were served by both gateways", all(n >= 3 for n in spread) and sum(spread) == 10, str(spread))

    # 8. One trust store for both gateways.
    def agent_served(url):
        return run([AIP, "call", url, "tasks.list_tasks", "--args", '{"project":"project-a"}'], home=homes["agent"]).returncode == 0

    check("an agent nobody vouched for is denied on both", not any(agent_served(u) for u in urls))
    vouch_file = os.path.join(work, "vouch.json")
    r = run([AIP, "vouch", agent, "--scope", "tools:tasks.*", "--weight", "0.9", "--out", vouch_file], home=homes["operator"])
    check("the operator vouches for the agent", r.returncode == 0, r.stderr)
    r = run([AIP, "trust", "import", vouch_file, "--db", trust_db], home=home)
    check("aip trust import --db postgresql://… stores it once", r.returncode == 0 and "vouch sha256:" in r.stdout, r.stdout + r.stderr)
    took = each_until(agent_served, 5)
    check("both gateways let the agent through (no restart)", all(t is not None for t in took), str(took))
    vouch_id = run([AIP, "trust", "import", vouch_file], home=homes["operator"]).stdout.split()[2]
    revocation = os.path.join(work, "revocation.json")
    r = run([AIP, "revoke", vouch_id[:20], "--out", revocation], home=homes["operator"])
    check("the operator revokes its vouch", r.returncode == 0, r.stderr)
    r = run([AIP, "trust", "import", revocation, "--db", trust_db], home=home)
    check("the revocation is imported once", r.returncode == 0, r.stdout + r.stderr)
    took = each_until(lambda u: not agent_served(u), 5)
    check("both gateways deny the agent again", all(t is not None for t in took), str(took))

    # 9. No key leaks; no acknowledged audit line lost.
    for p in gwlib.procs:
        p.terminate()
    for p in gwlib.procs:
        p.wait(timeout=20)
    text = "".join(open(l).read() for l in logs)
    check("no caller key in the gateways' logs", not any(k.split("_")[2] in text for k in (alice, doomed, fresh, late)))
    gateway_did = gwlib.did_of(home)
    for i in range(2):
        path = os.path.join(work, f"audit-{i}.jsonl")
        r = run([AIP, "audit", "verify", *sorted(glob.glob(path + "*[0-9]")), path, "--signer", gateway_did])
        check(f"audit-{i}.jsonl verifies", r.returncode == 0, (r.stdout + r.stderr)[-300:])
finally:
    if cluster:
        cluster.stop()
    sys.exit(gwlib.finish())
