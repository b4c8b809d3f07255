#!/usr/bin/env python3
"""aip gateway, end to end on loopback, through its real entry points (the aip CLI, HTTP).

Upstreams: example-tasks-server over HTTP (needs an API key only the gateway holds, records every
request it gets), example-tasks-server over stdio, and the official server-everything over stdio.
Checks: authentication (401 + WWW-Authenticate), per-argument policy and list filtering, the
bypass attempts of the issue (duplicate keys, unicode escapes, numbers as strings, case tricks),
no inbound credential ever reaching an upstream, denied calls never reaching one, rate limits
(429 + Retry-After), trace context, an upstream killed mid-call, SIGHUP reload (applied, and
refused when invalid), /metrics, /readyz, the audit log, and the official TypeScript SDK client.

Usage: gateway_test.py BIN_DIR NODE_DIR
"""
import json, os, re, signal, socket, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, BIN, EVERYTHING, META, NODE, NODE_DIR, check, did_of, free_port, get, post, run, start, wait_log

work = gwlib.init("aip-gw-")


def recorded():
    path = os.path.join(work, "tasks-requests.jsonl")
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []


def calls_recorded():
    return [r for r in recorded() if '"tools/call"' in r["body"]]


try:
    gw_home, agent_home = os.path.join(work, "gw"), os.path.join(work, "agent")
    run([AIP, "init", "--name", "gateway"], home=gw_home)
    run([AIP, "init", "--name", "agent"], home=agent_home)
    gw_did, agent_did = did_of(gw_home), did_of(agent_home)

    tasks_key = "tasks-key-" + os.urandom(8).hex()
    env = dict(os.environ, TASKS_KEY=tasks_key)
    start([os.path.join(BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--api-key-env", "TASKS_KEY",
           "--record-requests", os.path.join(work, "tasks-requests.jsonl")], os.path.join(work, "tasks.log"), env)
    tasks_url = wait_log(os.path.join(work, "tasks.log"), r"listening on (http://\S+/mcp)").group(1)

    gw_port = free_port()
    config = f"""
[gateway]
listen = "127.0.0.1:{gw_port}"
[audit]
path = "audit.jsonl"
checkpoint_every = 10
redact_keys = ["message"]
[[upstream]]
name = "tasks"
url = "{tasks_url}"
refresh = "300ms"   # The catalog is re-read all through the test, beside the calls.
credential = {{ type = "header", header = "X-Api-Key", from_env = "TASKS_KEY" }}
[[upstream]]
name = "local"
command = ["{BIN}/example-tasks-server", "--stdio"]
[[upstream]]
name = "everything"
command = ["{NODE}", "{EVERYTHING}", "stdio"]
restart_min = "100ms"
pool = 2   # Two copies: a long call on one does not hold up the other.
[[rule]]
id = "agent-project-a"
effect = "allow"
principals = ["{agent_did}"]
upstreams = ["tasks", "local"]
targets = ["list_tasks", "create_task"]
when = [ {{ pointer = "/project", op = "eq", value = "project-a" }} ]
[[rule]]
id = "anyone-project-a"
effect = "allow"
kinds = ["anonymous"]
upstreams = ["tasks"]
targets = ["list_tasks"]
when = [ {{ pointer = "/project", op = "eq", value = "project-a" }} ]
[[rule]]
id = "anyone-everything"
effect = "allow"
kinds = ["anonymous"]
upstreams = ["everything"]
targets = ["echo", "get-sum", "trigger-long-running-operation", "get-env"]
[[rule]]
id = "no-big-sums"
effect = "deny"
upstreams = ["everything"]
targets = ["get-sum"]
when = [ {{ pointer = "/a", op = "gt", value = 100 }} ]
[[rule]]
id = "env-is-not-listed"
effect = "deny"
targets = ["get-env"]
when = [ {{ pointer = "/never", op = "exists", value = true }} ]
[[limit]]
id = "echo-burst"
per = "principal_tool"
rate = 0.2
burst = 3
upstreams = ["everything"]
targets = ["echo"]
"""
    config_path = os.path.join(work, "gateway.toml")
    open(config_path, "w").write(config)
    gw_env = dict(os.environ, TASKS_KEY=tasks_key, AIP_HOME=gw_home, AIP_PASSPHRASE="test-pass",
                  GATEWAY_OTHER_SECRET="must-not-leak")
    r = run([AIP, "gateway", "check-config", config_path], env_extra={"TASKS_KEY": tasks_key})
    check("check-config accepts the configuration", r.returncode == 0 and "3 upstreams, 5 rules, 1 limits" in r.stdout, r.stdout + r.stderr)
    gw_log = os.path.join(work, "gateway.log")
    gw = start([AIP, "gateway", "--config", config_path], gw_log, gw_env)
    url = wait_log(gw_log, r'"event":"listening"[^\n]*"url":"(http://[^"]+)"').group(1)
    base = url[: -len("/mcp")]

    # --- lists and authentication -----------------------------------------------------------
    st, _, resp = post(url, "tools/list")
    names = sorted(t["name"] for t in resp["result"]["tools"])
    check("anonymous list shows only what anonymous callers may call",
          names == ["everything.echo", "everything.get-env", "everything.get-sum", "everything.trigger-long-running-operation",
                    "tasks.list_tasks"], str(names))
    check("lists are private to the caller", resp["result"].get("cacheScope") == "private", str(resp["result"].get("cacheScope")))
    r = run([AIP, "tools", url], home=agent_home)
    check("the agent's list shows its tools", "tasks.create_task" in r.stdout and "local.list_tasks" in r.stdout
          and "tasks.export_tasks" not in r.stdout, r.stdout + r.stderr)
    st, h, resp = post(url, "tools/call", {"name": "local.list_tasks", "arguments": {"project": "project-a"}},
                       headers={"mcp-param-project": "project-a"})
    check("no credential: 401 with WWW-Authenticate", st == 401 and "DataIntegrity" in h.get("WWW-Authenticate", h.get("www-authenticate", "")),
          f"{st} {h}")
    check("no credential: JSON-RPC -31001", resp["error"]["code"] == -31001, str(resp))

    # --- policy on arguments, through the CLI ----------------------------------------------
    r = run([AIP, "call", url, "tasks.list_tasks", "--args", '{"project":"project-a"}'], home=agent_home)
    check("signed call allowed for project A", r.returncode == 0 and "project-a" in r.stdout, r.stdout + r.stderr)
    before = len(calls_recorded())
    r = run([AIP, "call", url, "tasks.list_tasks", "--args", '{"project":"project-b"}'], home=agent_home)
    check("signed call denied for project B", r.returncode == 3 and "-31003" in r.stderr, r.stdout + r.stderr)
    r = run([AIP, "call", url, "tasks.list_tasks", "--http-signature", "--args", '{"project":"project-b"}'], home=agent_home)
    check("denied with an RFC 9421 signature too", r.returncode == 3 and "-31003" in r.stderr, r.stderr)
    st, _, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                       headers={"mcp-param-project": "project-a", "authorization": "Bearer stolen", "cookie": "session=caller-cookie", "x-api-key": "caller-key"})
    check("anonymous project-a allowed", st == 200 and "result" in resp, str(resp))
    # Missing Mcp-Param-* headers count only once the caller is known to be allowed the call: an
    # allowed call without them is a HeaderMismatch (400), a refused one is refused for its reason.
    st, _, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}})
    check("allowed but without the Mcp-Param header: 400 HeaderMismatch", st == 400 and resp["error"]["code"] == -32020, f"{st} {resp}")
    st, _, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-b"}})
    check("refused and without the header: the refusal, not the header", st == 401 and resp["error"]["code"] == -31001, f"{st} {resp}")

    # --- bypass attempts --------------------------------------------------------------------
    raw = (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tasks.list_tasks",'
           b'"arguments":{"project":"project-a","project":"project-b"},"_meta":' + json.dumps(META).encode() + b'}}')
    st, _, resp = post(url, "tools/call", raw=raw, name="tasks.list_tasks", headers={"mcp-param-project": "project-a"})
    check("duplicate keys refused before anything reads them", st == 400 and resp["error"]["code"] == -32700, f"{st} {resp}")
    raw = (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tasks.list_tasks",'
           b'"arguments":{"project":"project-\\u0062"},"_meta":' + json.dumps(META).encode() + b'}}')
    st, _, resp = post(url, "tools/call", raw=raw, name="tasks.list_tasks", headers={"mcp-param-project": "project-b"})
    check("a unicode escape is the letter it encodes: project-\\u0062 denied", st == 401 and resp["error"]["code"] == -31001, f"{st} {resp}")
    raw = raw.replace(b"\\u0062", b"\\u0061")
    st, _, resp = post(url, "tools/call", raw=raw, name="tasks.list_tasks", headers={"mcp-param-project": "project-a"})
    check("project-\\u0061 is project-a: allowed", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": "1000", "b": 1}})
    check("a number sent as a string still meets the numeric rule (and a stranger is not told the rule)",
          st == 401 and resp["error"]["code"] == -31001 and "rule" not in resp["error"]["data"], str(resp))
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": 1e3, "b": 1}})
    check("1e3 is 1000", st == 401, str(resp))
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": 40, "b": 2}})
    check("a small sum is allowed", "42" in json.dumps(resp), str(resp))
    for trick in ["TASKS.list_tasks", "tasks.LIST_TASKS", "tasks.list_tasks ", "tasks..list_tasks", "list_tasks"]:
        st, _, resp = post(url, "tools/call", {"name": trick, "arguments": {"project": "project-a"}})
        # -32020: an HTTP client trims the trailing space from the Mcp-Name header, which then
        # no longer matches the body: refused before routing either way.
        check(f"case/spelling trick {trick!r} is refused", resp["error"]["code"] in (-32602, -32020), f"{st} {resp}")
    check("denied calls never reached the upstream", len(calls_recorded()) == before + 2,
          f"{before} -> {len(calls_recorded())}")

    # --- credentials: each upstream sees only its own ---------------------------------------
    deadline = time.time() + 10
    while time.time() < deadline and sum('"tools/list"' in r["body"] for r in recorded()) < 4:
        time.sleep(0.1)  # The catalog is re-read every 300 ms.
    reqs = recorded()
    check("the HTTP upstream saw requests, and catalog refreshes", len(reqs) >= 3
          and sum('"tools/list"' in r["body"] for r in reqs) >= 4, str([json.loads(r["body"]).get("method") for r in reqs]))
    check("every request carried the gateway's key for this upstream", all(r["headers"].get("x-api-key") == tasks_key for r in reqs))
    blob = json.dumps(reqs)
    check("no caller credential reached the upstream",
          "stolen" not in blob and "caller-cookie" not in blob and "caller-key" not in blob and "authorization" not in blob
          and "cookie" not in blob and "dev.aip/proof" not in blob and agent_did not in blob, blob[:300])
    st, _, resp = post(url, "tools/call", {"name": "everything.get-env", "arguments": {}})
    env_text = json.dumps(resp)
    check("a spawned upstream does not inherit the gateway's environment",
          "result" in resp and "must-not-leak" not in env_text and tasks_key not in env_text, env_text[:300])

    # --- trace context ----------------------------------------------------------------------
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
         headers={"mcp-param-project": "project-a", "traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    tp = calls_recorded()[-1]["headers"].get("traceparent", "")
    check("traceparent continues the caller's trace with the gateway's span", tp.startswith(f"00-{trace}-") and "00f067aa0ba902b7" not in tp, tp)

    # --- rate limit -------------------------------------------------------------------------
    codes = []
    for i in range(4):
        st, h, resp = post(url, "tools/call", {"name": "everything.echo", "arguments": {"message": f"m{i}"}})
        codes.append(st)
    check("burst of 3 then 429", codes == [200, 200, 200, 429], str(codes))
    check("429 carries Retry-After and -31002", (h.get("Retry-After") or h.get("retry-after")) and resp["error"]["code"] == -31002,
          f"{h} {resp}")

    # --- an upstream killed mid-call --------------------------------------------------------
    import threading
    result = {}
    def long_call():
        result["r"] = post(url, "tools/call", {"name": "everything.trigger-long-running-operation", "arguments": {"duration": 5, "steps": 5}})
    t = threading.Thread(target=long_call); t.start()
    time.sleep(0.5)
    t0 = time.time()
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": 2, "b": 3}})
    check("a second copy serves a call while the first is busy", "5" in json.dumps(resp.get("result", {}))
          and time.time() - t0 < 3.5 and t.is_alive(), f"{time.time() - t0:.1f}s {resp}")
    time.sleep(0.5)
    child = subprocess.run(["pgrep", "-P", str(gw.pid), "-f", "server-everything"], capture_output=True, text=True).stdout.split()
    check("found the spawned server-everything copies", len(child) == 2, str(child))
    for pid in child:
        os.kill(int(pid), signal.SIGKILL)
    t.join(30)
    st, _, resp = result.get("r", (0, {}, None))
    check("the caller gets a JSON-RPC error", isinstance(resp, dict) and resp.get("error", {}).get("code") == -32603, f"{st} {resp}")
    check("the gateway stays up", get(base + "/healthz")[0] == 200)
    deadline = time.time() + 20
    while time.time() < deadline and get(base + "/readyz")[0] != 200:
        time.sleep(0.1)
    st, body = get(base + "/readyz")
    check("the upstream was restarted", st == 200 and json.loads(body)["upstreams"]["everything"]["restarts"] >= 1, body)
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": 1, "b": 2}})
    check("calls work again after the restart", "3" in json.dumps(resp.get("result", {})), str(resp))

    # --- a caller leaving mid-call, on a spawned upstream ------------------------------------
    # The gateway sends the copy notifications/cancelled and stops waiting; the copy is kept.
    restarts = json.loads(get(base + "/readyz")[1])["upstreams"]["everything"]["restarts"]
    body = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
        "name": "everything.trigger-long-running-operation", "arguments": {"duration": 20, "steps": 20},
        "_meta": gwlib.META}}).encode()
    s = socket.create_connection(("127.0.0.1", gw_port))
    s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
              b"accept: application/json, text/event-stream\r\nmcp-protocol-version: 2026-07-28\r\nmcp-method: tools/call\r\n"
              b"mcp-name: everything.trigger-long-running-operation\r\n"
              b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    time.sleep(0.5)
    s.close()
    t0, cancelled = time.time(), False
    while time.time() - t0 < 3 and not cancelled:
        cancelled = 'aip_gateway_upstream_cancelled_total{upstream="everything"} 1' in get(base + "/metrics")[1]
        time.sleep(0.05)
    check(f"a caller leaving mid-call cancels the spawned server's call ({time.time() - t0:.1f} s)", cancelled)
    st, _, resp = post(url, "tools/call", {"name": "everything.get-sum", "arguments": {"a": 2, "b": 2}})
    check("and the copy is kept, serving the next call",
          "4" in json.dumps(resp.get("result", {})) and
          json.loads(get(base + "/readyz")[1])["upstreams"]["everything"]["restarts"] == restarts, str(resp))

    # --- metrics ----------------------------------------------------------------------------
    st, metrics = get(base + "/metrics")
    check("/metrics in Prometheus format", st == 200 and "# TYPE aip_gateway_requests_total counter" in metrics)
    check("decisions by rule", 'aip_gateway_decisions_total{decision="deny",rule="no-big-sums"} 2' in metrics, metrics[:2000])
    check("upstream restarts counted", re.search(r'aip_gateway_upstream_restarts_total\{upstream="everything"\} [1-9]', metrics) is not None)
    check("latency histograms", 'aip_gateway_upstream_latency_seconds_bucket{upstream="tasks",le="+Inf"}' in metrics)
    check("replay cache size", re.search(r"aip_gateway_replay_cache_entries [1-9]", metrics) is not None)
    check("the audit log's syncs (fsync = every_line, the default) and writes counted",
          re.search(r"aip_gateway_audit_syncs_total [1-9]", metrics) is not None and
          re.search(r"aip_gateway_audit_writes_total [1-9]", metrics) is not None)
    check("no secret in metrics", tasks_key not in metrics)

    # --- reload -----------------------------------------------------------------------------
    r = run([AIP, "call", url, "local.create_task", "--args", '{"project":"project-a","title":"x"}'], home=agent_home)
    check("before reload: local.create_task allowed", r.returncode == 0, r.stderr)
    r = run([AIP, "call", url, "local.export_tasks", "--args", '{"project":"project-a"}'], home=agent_home)
    check("before reload: local.export_tasks denied", r.returncode == 3, r.stderr)
    check("busy polling on by default", re.search(r"aip_gateway_busy_poll_budget_microseconds 100\b", metrics) is not None)
    polls = lambda m: sum(int(n) for n in re.findall(r'aip_gateway_busy_polls_total\{result="(?:answered|gave_up)"\} (\d+)', m))
    check("the gateway polled between the calls so far", polls(metrics) >= 1,
          "\n".join(l for l in metrics.splitlines() if "busy" in l))
    reloaded = config.replace('targets = ["list_tasks", "create_task"]', 'targets = ["list_tasks", "create_task", "export_tasks"]')
    reloaded = reloaded.replace("[gateway]\n", "[gateway]\nbusy_poll_us = 0\n", 1)
    open(config_path, "w").write(reloaded)
    gw.send_signal(signal.SIGHUP)
    wait_log(gw_log, '"event":"config_reloaded"')
    _, metrics = get(base + "/metrics")
    polls_before = polls(metrics)
    r = run([AIP, "call", url, "local.export_tasks", "--args", '{"project":"project-a"}'], home=agent_home)
    check("after reload: local.export_tasks allowed, no restart", r.returncode == 0, r.stderr)
    _, metrics = get(base + "/metrics")
    check("after reload: busy polling off", re.search(r"aip_gateway_busy_poll_budget_microseconds 0\b", metrics) is not None)
    check("and the gateway no longer polls", polls(metrics) == polls_before, f"{polls_before} -> {polls(metrics)}")
    open(config_path, "w").write(config + "\n[[rule]]\nid = \"broken\"\neffect = \"perhaps\"\n")
    gw.send_signal(signal.SIGHUP)
    m = wait_log(gw_log, r'\{[^\n]*"event":"config_refused"[^\n]*\}')
    refused = json.loads(m.group(0))
    check("an invalid config is refused with its errors", "gateway.toml:" in refused["error"] and "effect" in refused["error"], m.group(0))
    r = run([AIP, "call", url, "local.export_tasks", "--args", '{"project":"project-a"}'], home=agent_home)
    check("the previous configuration stays in force", r.returncode == 0, r.stderr)

    # --- the official TypeScript SDK client -------------------------------------------------
    r = subprocess.run([NODE, os.path.join(NODE_DIR, "sdk_gateway_test.mjs"), url], capture_output=True, text=True,
                       timeout=120, cwd=NODE_DIR)
    m = re.search(r"(\d+) passed, (\d+) failed", r.stdout)
    check("TypeScript SDK client through the gateway", r.returncode == 0 and m is not None, r.stdout + r.stderr)
    if m:
        print(f"sdk client: {m.group(0)}")

    # --- policy check, offline --------------------------------------------------------------
    req = os.path.join(work, "req.json")
    json.dump({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
               "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-b"}}}, open(req, "w"))
    open(config_path, "w").write(config)  # The file on disk is the broken one since the reload test.
    r = run([AIP, "policy", "check", "--config", config_path, "--principal", agent_did, "--request", req],
            env_extra={"TASKS_KEY": tasks_key})
    check("policy check explains a denial", r.returncode == 1 and '"decision": "deny"' in r.stdout and "no rule allows" in r.stdout,
          r.stdout + r.stderr)
    json.dump({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
               "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}}, open(req, "w"))
    r = run([AIP, "policy", "check", "--config", config_path, "--principal", agent_did, "--request", req],
            env_extra={"TASKS_KEY": tasks_key})
    check("policy check explains an allow", r.returncode == 0 and '"rule": "agent-project-a"' in r.stdout, r.stdout + r.stderr)

    # --- TLS: an HTTPS gateway in front of an HTTPS upstream and server-everything over HTTP ---
    import ssl
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   capture_output=True, check=True)
    os.chmod(key, 0o600)
    start([os.path.join(BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key],
          os.path.join(work, "tls-tasks.log"), dict(os.environ))
    tls_upstream = wait_log(os.path.join(work, "tls-tasks.log"), r"listening on (https://\S+/mcp)").group(1)
    ev_port = free_port()
    start([NODE, EVERYTHING, "streamableHttp"], os.path.join(work, "everything-http.log"), dict(os.environ, PORT=str(ev_port)))
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", ev_port), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    tls_config = os.path.join(work, "tls-gateway.toml")
    open(tls_config, "w").write(f"""
[gateway]
listen = "127.0.0.1:0"
tls_cert = "cert.pem"
tls_key = "key.pem"
[[upstream]]
name = "secure"
url = "{tls_upstream}"
ca_file = "cert.pem"
[[upstream]]
name = "everything"
url = "http://127.0.0.1:{ev_port}/mcp"
[[rule]]
id = "anyone"
effect = "allow"
kinds = ["anonymous"]
targets = ["list_tasks", "echo"]
""")
    tls_log = os.path.join(work, "tls-gateway.log")
    start([AIP, "gateway", "--config", tls_config], tls_log, gw_env)
    tls_url = wait_log(tls_log, r'"event":"listening"[^\n]*"url":"(https://[^"]+)"').group(1)
    ctx = ssl.create_default_context(cafile=cert)
    _, _, resp = post(tls_url, "tools/call", {"name": "secure.list_tasks", "arguments": {"project": "project-a"}},
                      headers={"mcp-param-project": "project-a"}, context=ctx)
    check("HTTPS gateway to an HTTPS upstream (its own CA)", "project-a" in json.dumps(resp.get("result", {})), str(resp))
    _, _, resp = post(tls_url, "tools/call", {"name": "everything.echo", "arguments": {"message": "over http"}}, context=ctx)
    check("server-everything over HTTP behind the gateway", "Echo: over http" in json.dumps(resp), str(resp))

    # --- audit ------------------------------------------------------------------------------
    gw.send_signal(signal.SIGTERM)
    gw.wait(timeout=20)
    audit = open(os.path.join(work, "audit.jsonl")).read()
    lines = [json.loads(l) for l in audit.splitlines()]
    decisions = [l for l in lines if l.get("type") == "decision"]
    outcomes = [l for l in lines if l.get("type") == "outcome"]
    check("decisions and outcomes are recorded", len(decisions) > 10 and len(outcomes) > 5)
    d = next(l for l in decisions if l.get("agent") == agent_did and l.get("decision") == "deny")
    check("a decision line names agent, upstream, tool, action, rule, reason, trace",
          all(k in d for k in ["agent", "upstream", "target", "action", "decision", "rule", "reason", "trace_id", "time"]), str(d))
    o = outcomes[0]
    check("an outcome line has the outcome and latency", "outcome" in o and "latency_ms" in o, str(o))
    check("redacted arguments", '"message":"[redacted]"' in audit and '"message":"m0"' not in audit)
    check("no secret in the audit log", tasks_key not in audit)
    r = run([AIP, "audit", "verify", os.path.join(work, "audit.jsonl"), "--signer", gw_did])
    check("aip audit verify accepts the log", r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr)
    tampered = audit.splitlines()
    tampered.pop(5)
    open(os.path.join(work, "tampered.jsonl"), "w").write("\n".join(tampered) + "\n")
    r = run([AIP, "audit", "verify", os.path.join(work, "tampered.jsonl"), "--signer", gw_did])
    check("aip audit verify detects a deleted line", r.returncode == 1 and "line 6" in r.stderr, r.stdout + r.stderr)
    log_text = open(gw_log).read()
    check("no secret in the gateway's log", tasks_key not in log_text and "must-not-leak" not in log_text)
    events = [json.loads(l) for l in log_text.splitlines() if l.startswith("{")]
    check("by default the gateway runs its calls on event loops", '"event":"handlers","mode":"event_loop"' in log_text)
    check("the gateway logs structured JSON lines", len(events) >= 5 and all("time" in e and "event" in e for e in events)
          and len(events) == len([l for l in log_text.splitlines() if l.strip()]),
          "\n".join(l for l in log_text.splitlines() if l.strip() and not l.startswith("{"))[:3000])
    check("upstream restarts are logged", any(e["event"] == "upstream_up" and e.get("restarts", 0) >= 1 for e in events))
finally:
    sys.exit(gwlib.finish())
