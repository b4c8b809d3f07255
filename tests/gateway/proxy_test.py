#!/usr/bin/env python3
"""aip proxy end to end, as an off-the-shelf client reaches it.

The official TypeScript SDK client launches `aip proxy GATEWAY_URL` as its stdio server (as
Claude Desktop, Cursor and VS Code do) and reaches `aip gateway` with the agent's identity; the
upstream sees the agent's DID. Then, from outside: stdout carries nothing but JSON-RPC, `--listen`
refuses callers without the per-run token, a gateway killed mid-call gives the client an error at
once, and the proxy carries on when the gateway comes back.

Usage: proxy_test.py BIN_DIR NODE_DIR
"""
import json, os, re, select, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, BIN, EVERYTHING, NODE, NODE_DIR, StdioProxy, check, did_of, free_port, post, run, start, wait_log

work = gwlib.init("aip-proxy-")


def recorded():
    path = os.path.join(work, "tasks-requests.jsonl")
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []


try:
    gw_home, agent_home = os.path.join(work, "gw"), os.path.join(work, "agent")
    run([AIP, "init", "--name", "gateway"], home=gw_home)
    run([AIP, "init", "--name", "agent"], home=agent_home)
    agent_did = did_of(agent_home)

    tasks_key = "tasks-key-" + os.urandom(8).hex()
    env = dict(os.environ, TASKS_KEY=tasks_key)
    tasks_url, _ = gwlib.start_tasks_server(env)
    start([os.path.join(BIN, "example-conformance-server"), "--http", "127.0.0.1:0"], os.path.join(work, "conf.log"), env)
    conf_url = wait_log(os.path.join(work, "conf.log"), r"listening on (http://\S+/mcp)").group(1)

    gw_port = free_port()
    url = f"http://127.0.0.1:{gw_port}/mcp"
    config = f"""
[gateway]
listen = "127.0.0.1:{gw_port}"
denial_detail = "full"
[audit]
path = "audit.jsonl"
[[upstream]]
name = "tasks"
url = "{tasks_url}"
sign_requests = true
credential = {{ type = "header", header = "X-Api-Key", from_env = "TASKS_KEY" }}
[[upstream]]
name = "conf"
url = "{conf_url}"
[[upstream]]
name = "everything"
command = ["{NODE}", "{EVERYTHING}", "stdio"]
pool = 2
[[rule]]
id = "agent-tasks"
effect = "allow"
agents = ["{agent_did}"]
upstreams = ["tasks"]
targets = ["list_tasks", "export_tasks"]
when = [ {{ pointer = "/project", op = "eq", value = "project-a" }} ]
[[rule]]
id = "agent-conf"
effect = "allow"
agents = ["{agent_did}"]
upstreams = ["conf"]
targets = ["test_input_required_result_elicitation"]
[[rule]]
id = "agent-everything"
effect = "allow"
agents = ["{agent_did}"]
upstreams = ["everything"]
targets = ["trigger-long-running-operation", "echo"]
"""
    gw_env = dict(os.environ, TASKS_KEY=tasks_key)
    gw_log = gwlib.start_gateway(config, gw_env, gw_home)

    # --- the official TypeScript SDK client over stdio -> aip proxy -> gateway -> upstreams ---
    r = subprocess.run([NODE, os.path.join(NODE_DIR, "sdk_proxy_test.mjs"), AIP, url, agent_home],
                       capture_output=True, text=True, timeout=180)
    m = re.search(r"(\d+) passed, (\d+) failed", r.stdout)
    check("TypeScript SDK client through aip proxy", r.returncode == 0 and m and m.group(2) == "0", r.stdout + r.stderr)
    print(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else "(no output)", "(TypeScript client)")

    calls = [json.loads(x["body"]) for x in recorded() if '"tools/call"' in x["body"]]
    callers = [c["params"].get("_meta", {}).get("dev.aip/caller", {}) for c in calls]
    check("the upstream saw the agent's DID on every call", calls and all(c.get("did") == agent_did for c in callers),
          json.dumps(callers))
    decisions = [json.loads(l) for l in open(os.path.join(work, "audit.jsonl")) if '"type":"decision"' in l]
    check("the gateway authenticated the agent, not an anonymous caller",
          any(d.get("agent") == agent_did and d.get("decision") == "allow" for d in decisions)
          and not any(d.get("kind") == "anonymous" for d in decisions), json.dumps(decisions[-3:]))

    # --- stdout is protocol only; a replay is impossible -----------------------------------
    p = StdioProxy(url, agent_home)
    init = p.handshake()
    check("initialize through the proxy (legacy client, era of its choice)",
          init and init.get("result", {}).get("protocolVersion") == "2025-06-18", str(init))
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}}
    p.send(call)
    p.send(call)  # The same message twice: each leaves the proxy with a proof of its own.
    a1, a2 = p.answer(7), p.answer(7)
    check("the same request sent twice is signed twice (no replay refusal)",
          a1 and a2 and "result" in a1 and "result" in a2, f"{a1} {a2}")
    p.send({"jsonrpc": "2.0", "id": 8, "method": "tools/call",
            "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-b"}}})
    denied = p.answer(8)
    check("a denial arrives as a JSON-RPC error with its reason",
          denied and denied.get("error", {}).get("data", {}).get("rule") == "agent-tasks", str(denied))
    p.send({"jsonrpc": "2.0", "id": 9, "method": "nonsense/method", "params": {}})
    unknown = p.answer(9)
    check("an unknown method is the remote's JSON-RPC error", unknown and unknown.get("error", {}).get("code") == -32601, str(unknown))
    p.p.stdin.write(b"{this is not json\n")
    p.p.stdin.flush()
    garbage = p.next()
    check("a malformed line is answered -32700", garbage and garbage.get("error", {}).get("code") == -32700, str(garbage))
    rc, rest = p.close()
    check("the proxy ends with its input, cleanly", rc == 0, str(rc))
    check("stdout carried nothing but JSON-RPC", not p.bad_lines and rest.strip() == b"", f"{p.bad_lines} {rest!r}")

    # --- the client configurations of docs/proxy.md, as written ------------------------------
    doc = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "proxy.md")).read()
    snippets = re.findall(r"<!-- snippet:(\S+) -->\n```json\n(.*?)\n```", doc, re.S)
    check("docs/proxy.md has the three client snippets", sorted(n for n, _ in snippets) == ["claude-desktop", "cursor", "vscode"],
          str([n for n, _ in snippets]))
    for name, text in snippets:
        conf = json.loads(text)
        server = next(iter((conf.get("mcpServers") or conf.get("servers")).values()))
        argv = [AIP if server["command"] == "aip" else server["command"]] + \
               [url if a == "https://gw.example.com/mcp" else a for a in server["args"]]
        env = {k: (agent_home if k == "AIP_HOME" else v) for k, v in server.get("env", {}).items()}
        sp = StdioProxy(url, agent_home, argv=argv, env_extra=env)
        init = sp.handshake()
        sp.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                 "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}})
        answer = sp.answer(2)
        sp.close()
        check(f"the {name} snippet of docs/proxy.md works as written",
              init and "result" in init and answer and "result" in answer, f"{init} {answer} {open(sp.stderr_path).read()}")

    # --- --listen: nobody else on the machine may borrow the identity -----------------------
    listen_log = os.path.join(work, "listen.log")
    lp = start([AIP, "proxy", url, "--listen", "127.0.0.1:0"], listen_log, dict(os.environ, AIP_HOME=agent_home))
    local = wait_log(listen_log, r"serving (http://\S+/mcp)").group(1)
    token = wait_log(listen_log, r"Authorization: Bearer (\S+)").group(1)
    list_params = {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}
    project = {"mcp-param-project": "project-a"}
    st, h, resp = post(local, "tools/call", list_params, headers=project)
    check("--listen refuses a caller without the token (401)", st == 401, f"{st} {resp}")
    st, h, resp = post(local, "tools/call", list_params, headers={**project, "authorization": "Bearer " + token[:-1] + "x"})
    check("--listen refuses a wrong token (401)", st == 401, f"{st} {resp}")
    st, h, resp = post(local, "tools/call", list_params, headers={**project, "authorization": "Bearer " + token})
    check("--listen relays the token holder's call, signed", st == 200 and "result" in resp, f"{st} {resp}")
    check("the token never reaches the gateway's log", token not in open(gw_log).read())
    lp.send_signal(signal.SIGTERM)
    lp.wait(timeout=10)

    # --- an encrypted identity; results that must be signed by a named server ---------------
    enc_home = os.path.join(work, "encrypted")
    r = run([AIP, "init", "--name", "encrypted-agent", "--encrypt"], home=enc_home)  # Passphrase from AIP_PASSPHRASE.
    check("an encrypted identity for the proxy", r.returncode == 0 and '"encryption"' in open(os.path.join(enc_home, "identity.json")).read(),
          r.stdout + r.stderr)
    signer_home = os.path.join(work, "signer")
    run([AIP, "init", "--name", "signing-server"], home=signer_home)
    server_did = did_of(signer_home)
    signing_log = os.path.join(work, "signing-server.log")
    start([os.path.join(BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--require-proof", "--sign-results"], signing_log,
          dict(os.environ, AIP_HOME=signer_home))
    signing_url = wait_log(signing_log, r"listening on (http://\S+/mcp)").group(1)
    list_call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_tasks", "arguments": {"project": "project-a"}}}
    p = StdioProxy(signing_url, enc_home, "--server-did", server_did)
    init = p.handshake()
    p.send(list_call)
    ok = p.answer(2)
    p.close()
    check("an encrypted identity signs (AIP_PASSPHRASE), and results signed by the named server pass",
          init and "result" in init and ok and "result" in ok, f"{init} {ok} {open(p.stderr_path).read()}")
    p = StdioProxy(signing_url, enc_home, "--server-did", agent_did)  # Not the server's DID.
    p.handshake()
    p.send(list_call)
    refused = p.answer(2)
    p.close()
    check("a result signed by another server becomes a JSON-RPC error with its reason, never passed on",
          refused and refused.get("error", {}).get("code") == -31004
          and refused["error"].get("data", {}).get("reason") == "bad_result_signature", str(refused))

    # --- the gateway dies mid-call, then comes back -----------------------------------------
    p = StdioProxy(url, agent_home, "--timeout", "5s")
    p.handshake()
    p.send({"jsonrpc": "2.0", "id": 20, "method": "tools/call",
            "params": {"name": "everything.trigger-long-running-operation", "arguments": {"duration": 20, "steps": 20},
                       "_meta": {"progressToken": "t"}}})
    first = p.next()
    gw = [q for q in gwlib.procs if q.args[:2] == [AIP, "gateway"]][0]
    t0 = time.time()
    gw.kill()
    gw.wait()
    dead = p.answer(20, timeout=10)
    check("a gateway that dies mid-call: the client gets an error at once",
          first is not None and dead and "error" in dead and time.time() - t0 < 5, f"{first} {dead} {time.time() - t0:.1f}s")
    gw_log = gwlib.start_gateway(config, gw_env, gw_home, name="gateway2")
    p.send({"jsonrpc": "2.0", "id": 21, "method": "tools/call",
            "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}})
    back = p.answer(21)
    check("the gateway back: the next call goes through", back and "result" in back, str(back))
    rc, rest = p.close()
    check("stdout stayed protocol only through the failure", not p.bad_lines, str(p.bad_lines))
finally:
    sys.exit(gwlib.finish())
