#!/usr/bin/env python3
"""aip gateway under faults, on loopback, bounded in count and time.

1. Under load, the spawned upstream is killed with SIGKILL 100 times, mid-call: every call gets
   an answer (a result or a JSON-RPC error), the gateway stays up and restarts the upstream.
2. Under load, the gateway itself is killed with SIGKILL and started again: its audit log (a
   rotated series) verifies, every call that was answered has its outcome in the log, and no
   request signed before the kill is accepted after it.
3. The audit log as an attacker or a careless operator meets it: a second gateway on the same
   log refuses to start; a line appended to a stopped gateway's log makes it refuse to start,
   or, with on_broken_chain = "new_file", start a new chain that says why.
4. Checkpoints witnessed by `aip audit witness`: a log cut back past the last one is detected.

Usage: fault_test.py BIN_DIR
"""
import glob, hashlib, json, os, signal, subprocess, sys, threading, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, check, free_port, post, run

work = gwlib.init("aip-fault-")
KILLS = 100


def children(pid):
    """The processes whose parent is `pid`."""
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = open(stat).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.split("/")[2]))
    return out


def is_running(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Load:
    """Threads calling a tool with an API key, each call with its own trace id; every answer is
    kept with its trace id."""

    def __init__(self, url, key, threads=3):
        self.url, self.key, self.answers, self.stop = url, key, [], threading.Event()
        self.results = 0  # Calls answered with a result so far.
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]
        for t in self.threads:
            t.start()

    def run(self, n):
        i = 0
        while not self.stop.is_set():
            i += 1
            trace = f"{n:02x}{i:030x}"
            headers = {"x-api-key": self.key, "traceparent": f"00-{trace}-00f067aa0ba902b7-01", "mcp-param-project": "project-a"}
            try:
                st, _, resp = post(self.url, "tools/call", {"name": "list_tasks", "arguments": {"project": "project-a"}},
                                   headers=headers)
            except (urllib.error.URLError, ConnectionError, OSError) as e:
                st, resp = 0, repr(e)  # The connection itself failed (the gateway was killed).
            with self.lock:
                self.answers.append((trace, st, resp))
                if st == 200 and isinstance(resp, dict) and "result" in resp:
                    self.results += 1

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        return self.answers


def answered(resp):
    return isinstance(resp, dict) and resp.get("jsonrpc") == "2.0" and ("result" in resp or "error" in resp)


try:
    home = os.path.join(work, "home")
    db = os.path.join(work, "keys", "gateway.db")
    run([AIP, "init", "--name", "gateway"], home=home)
    key = run([AIP, "apikey", "create", "--name", "loader", "--scopes", "tasks:read", "--db", db], home=home).stdout.strip()
    gateway_did = gwlib.did_of(home)
    env = dict(os.environ)
    port = free_port()
    audit = os.path.join(work, "audit.jsonl")
    url = f"http://127.0.0.1:{port}/mcp"
    config = f"""
[gateway]
listen = "127.0.0.1:{port}"
[auth]
api_keys = true
api_key_db = "{db}"
[audit]
path = "{audit}"
checkpoint_every = 50
rotate_bytes = "1MiB"
[[upstream]]
name = "local"
namespaced = false
command = ["{gwlib.BIN}/example-tasks-server", "--stdio"]
timeout = "5s"
restart_min = "20ms"
restart_max = "200ms"
pool = 2
[[rule]]
id = "loader"
effect = "allow"
kinds = ["api_key", "agent"]
targets = ["list_tasks"]
"""
    gwlib.start_gateway(config, env, home)
    gateway = gwlib.procs[-1]

    # 1. The upstream killed mid-call, 100 times.
    load = Load(url, key)
    kills, seen, t0, served_before = 0, set(), time.monotonic(), -1
    while kills < KILLS and time.monotonic() - t0 < 120:
        servers = [p for p in children(gateway.pid) if is_running(p)]
        seen.update(servers)
        if not servers:
            time.sleep(0.01)
            continue
        # Kill a copy that serves: wait (bounded) for a call answered since the last kill — a copy
        # still starting (slow under a sanitizer) killed again and again would test only refusals.
        deadline = time.monotonic() + 5
        while load.results <= served_before and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.03)  # Let calls reach it.
        try:
            os.kill(servers[0], signal.SIGKILL)
        except ProcessLookupError:
            continue  # It ended on its own meanwhile (the gateway replaces a failed copy).
        kills += 1
        served_before = load.results
        # The next victim is a copy started after this kill (or the other copy of the pool).
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(p not in seen and is_running(p) for p in children(gateway.pid)):
            time.sleep(0.005)
    time.sleep(0.5)
    seen.update(p for p in children(gateway.pid) if is_running(p))
    answers = load.finish()
    ok = sum(1 for _, st, r in answers if st == 200 and isinstance(r, dict) and "result" in r)
    errors = sum(1 for _, st, r in answers if answered(r) and "error" in r)
    unanswered = [(st, r) for _, st, r in answers if not answered(r)]
    print(f"upstream killed {kills} times ({len(seen)} processes seen) in {time.monotonic() - t0:.1f} s: "
          f"{len(answers)} calls, {ok} results, {errors} JSON-RPC errors, {len(unanswered)} without an answer", flush=True)
    check(f"the upstream was killed {KILLS} times and started again each time", kills == KILLS and len(seen) > KILLS, f"{kills} {len(seen)}")
    check("every call got a result or a JSON-RPC error", answers and not unanswered, str(unanswered[:3]))
    # While no copy is up, calls fail at once (upstream unavailable) rather than queue.
    check("calls succeeded between the kills and failed with an error during them", errors > 0 and ok > 0, f"{ok} {errors}")
    check("the gateway is up", gateway.poll() is None)
    time.sleep(0.5)
    st, _, resp = post(url, "tools/call", {"name": "list_tasks", "arguments": {"project": "project-a"}},
                       headers={"x-api-key": key, "mcp-param-project": "project-a"})
    check("and the restarted upstream serves", st == 200 and "result" in resp, f"{st} {resp}")

    # 2. The gateway killed under load, then started again.
    signed = run([os.path.join(gwlib.BIN, "make_signed_requests"), "3", url], home=home).stdout.splitlines()
    send = lambda line: post(url, "tools/call", raw=line.encode(), name="list_tasks", headers={"mcp-param-project": "project-a"})
    st, _, resp = send(signed[0])
    check("a signed call is accepted before the kill", st == 200 and "result" in resp, f"{st} {resp}")
    load = Load(url, key)
    time.sleep(2)
    gateway.send_signal(signal.SIGKILL)
    gateway.wait(timeout=10)
    answers = load.finish()
    acknowledged = [trace for trace, st, r in answers if st == 200 and isinstance(r, dict) and "result" in r]
    check("calls were answered before the kill", len(acknowledged) > 20, str(len(acknowledged)))
    r = run([AIP, "audit", "verify", *glob.glob(audit + "*[0-9]"), audit, "--signer", gateway_did])
    check("the killed gateway's log verifies as it was left", r.returncode == 0, r.stdout + r.stderr)
    # Killed right after a checkpoint, the log has nothing unsealed for the restart to record.
    left_unsealed = "follow the last checkpoint" in r.stdout

    restart_log = gwlib.start_gateway(config, env, home, name="restarted")
    gateway = gwlib.procs[-1]
    check("the restarted gateway takes up its own unsealed lines", '"event":"audit_chain_refused"' not in open(restart_log).read())
    for i, line in enumerate(signed[:2]):
        st, _, resp = send(line)
        check(f"signed request {i + 1} from before the kill is refused after it", st == 401 and
              resp["error"]["data"]["reason"] == "predates_restart", f"{st} {resp}")
    st, _, resp = post(url, "tools/call", {"name": "list_tasks", "arguments": {"project": "project-a"}},
                       headers={"x-api-key": key, "mcp-param-project": "project-a"})
    check("the restarted gateway serves", st == 200 and "result" in resp, f"{st} {resp}")

    # The same rule in a server built on the SDK (example-tasks-server --require-proof).
    server_port = free_port()
    server_url = f"http://127.0.0.1:{server_port}/mcp"
    server_args = [os.path.join(gwlib.BIN, "example-tasks-server"), "--http", f"127.0.0.1:{server_port}", "--require-proof"]
    server = gwlib.start(server_args, os.path.join(work, "server-1.log"), env)
    gwlib.wait_log(os.path.join(work, "server-1.log"), "listening on")
    before = run([os.path.join(gwlib.BIN, "make_signed_requests"), "2", server_url], home=home).stdout.splitlines()
    to_server = lambda line: post(server_url, "tools/call", raw=line.encode(), name="list_tasks", headers={"mcp-param-project": "project-a"})
    st, _, resp = to_server(before[0])
    check("the SDK server accepts a signed call", st == 200 and "result" in resp, f"{st} {resp}")
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    gwlib.start(server_args, os.path.join(work, "server-2.log"), env)
    gwlib.wait_log(os.path.join(work, "server-2.log"), "listening on")
    for i, line in enumerate(before):
        st, _, resp = to_server(line)
        check(f"after its restart it refuses signed call {i + 1} from before", st == 401 and
              resp["error"]["data"]["reason"] == "predates_restart", f"{st} {resp}")

    # A second gateway on the same log refuses to start (it would fork the chain).
    second_port = free_port()
    second_log = os.path.join(work, "second.log")
    second_cfg = os.path.join(work, "second.toml")
    open(second_cfg, "w").write(config.replace(f":{port}\"", f":{second_port}\""))
    second = subprocess.run([AIP, "gateway", "--config", second_cfg], capture_output=True, text=True, timeout=30,
                            env=dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
    check("a second gateway on the same audit log refuses to start",
          second.returncode != 0 and "in use by another process" in second.stderr, second.stderr[-500:])

    gateway.terminate()
    gateway.wait(timeout=15)
    series = sorted(glob.glob(audit + "*[0-9]")) + [audit]
    r = run([AIP, "audit", "verify", *reversed(series), "--signer", gateway_did])
    check(f"the whole rotated series ({len(series)} files) verifies as one chain, sealed at the stop",
          r.returncode == 0 and len(series) >= 2 and "follow the last checkpoint" not in r.stdout,
          r.stdout + r.stderr + "\ngateway log (end):\n" + open(restart_log).read()[-2000:])
    print(r.stdout.strip(), flush=True)
    logged = set()
    recovered = False
    for path in series:
        for line in open(path):
            rec = json.loads(line)
            if rec.get("type") == "outcome":
                logged.add(rec.get("trace_id"))
            recovered = recovered or rec.get("type") == "recovered"
    missing = [t for t in acknowledged if t not in logged]
    check(f"every answered call ({len(acknowledged)}) has its outcome in the log", not missing, str(missing[:3]))
    check("the restart recorded what the kill left", recovered or not left_unsealed)

    # 3. A line appended to the stopped gateway's log, with a correct prev.
    last = open(audit, "rb").read().splitlines()[-1]
    seq = json.loads(last)["seq"] + 1
    forged = json.dumps({"seq": seq, "time": "2026-01-01T00:00:00Z", "prev": hashlib.sha256(last).hexdigest(),
                         "type": "decision", "decision": "allow", "principal": "someone-else"}, separators=(",", ":"))
    open(audit, "a").write(forged + "\n")
    refused = subprocess.run([AIP, "gateway", "--config", os.path.join(work, "gateway.toml")], capture_output=True, text=True,
                             timeout=30, env=dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
    check("a gateway refuses to continue a log with a line it did not write",
          refused.returncode != 0 and "not written by this gateway" in refused.stderr, refused.stderr[-500:])
    new_file = os.path.join(work, "new-file.toml")
    open(new_file, "w").write(config.replace("[audit]\n", "[audit]\non_broken_chain = \"new_file\"\n"))
    gwlib.start(([AIP, "gateway", "--config", new_file]), os.path.join(work, "new-file.log"), dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
    gwlib.wait_log(os.path.join(work, "new-file.log"), '"event":"listening"')
    first = json.loads(open(audit).readline())
    aside = glob.glob(audit + ".broken-*")
    check("with on_broken_chain = \"new_file\" it sets the log aside and starts a chain that says why",
          first.get("type") == "chain_refused" and len(aside) == 1 and "not written by this gateway" in first.get("reason", ""), str(first))

    # 4. A witness countersigns the checkpoints: cutting the log back past the last one it saw
    # (here: only the final checkpoint) is detected by `aip audit verify --witness`.
    witness_home = os.path.join(work, "witness-home")
    run([AIP, "init", "--name", "witness"], home=witness_home)
    witness_did = gwlib.did_of(witness_home)
    witness_port = free_port()
    witness_log = os.path.join(work, "witness.log")
    gwlib.start([AIP, "audit", "witness", "--listen", f"127.0.0.1:{witness_port}", "--gateway", gateway_did], witness_log,
                dict(env, AIP_HOME=witness_home, AIP_PASSPHRASE="test-pass"))
    gwlib.wait_log(witness_log, '"event":"listening"')
    witness_url = f"http://127.0.0.1:{witness_port}/"
    witnessed_audit = os.path.join(work, "witnessed.jsonl")
    wport = free_port()
    gwlib.start_gateway(config.replace(f":{port}\"", f":{wport}\"").replace(audit, witnessed_audit).replace(
        "[audit]\n", f"[audit]\nwitness = \"{witness_url}\"\nwitness_did = \"{witness_did}\"\n").replace(
        "checkpoint_every = 50", "checkpoint_every = 10"), env, home, name="witnessed")
    witnessed_gw = gwlib.procs[-1]
    for _ in range(12):
        post(f"http://127.0.0.1:{wport}/mcp", "tools/call", {"name": "list_tasks", "arguments": {"project": "project-a"}},
             headers={"x-api-key": key, "mcp-param-project": "project-a"})
    witnessed_gw.terminate()
    witnessed_gw.wait(timeout=15)
    verify_witnessed = lambda: run([AIP, "audit", "verify", witnessed_audit, "--signer", gateway_did, "--witness", witness_url,
                                    "--witness-did", witness_did])
    r = verify_witnessed()
    check("the log holds the last checkpoint the witness countersigned",
          r.returncode == 0 and "witnessed: checkpoint seq" in r.stdout and "follow the last checkpoint" not in r.stdout,
          r.stdout + r.stderr)
    lines = open(witnessed_audit).read().splitlines(keepends=True)
    open(witnessed_audit, "w").write("".join(lines[:-1]))
    r = verify_witnessed()
    check("cutting off the final checkpoint is detected against the witness",
          r.returncode == 1 and "truncated" in r.stderr, r.stdout + r.stderr)
    r = run([AIP, "audit", "verify", witnessed_audit, "--signer", gateway_did])
    check("(which the log alone cannot show)", r.returncode == 0, r.stdout + r.stderr)
    r = run([AIP, "audit", "verify", witnessed_audit, "--signer", gateway_did, "--witness", witness_url,
             "--witness-did", gwlib.did_of(home)])
    check("a receipt from another key than the named witness is refused", r.returncode == 1 and "not " in r.stderr, r.stderr)
finally:
    sys.exit(gwlib.finish())
