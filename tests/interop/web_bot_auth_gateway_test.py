#!/usr/bin/env python3
"""Web Bot Auth through aip gateway, end to end, with operators' key directories served over
HTTPS by a CA the test makes:
  - npm web-bot-auth's signer (Cloudflare's) calls a tool through the gateway; its operator's
    directory is signed with npm http-message-sig; the gateway fetches and checks it, admits the
    call as a `bot` principal (origin#thumbprint) and audits it so;
  - `aip call --web-bot-auth --signature-agent` (aip's own signer, directory from
    `aip webbotauth directory`) is admitted the same way; with `--sign` too, the same key's proof
    satisfies a rule that requires `credential = "aip-proof"`, which Web Bot Auth alone does not;
  - trust: a vouch for the bot key's did:key opens a trust-gated tool;
  - refusals, each with its reason: a replayed nonce, an expired signature, a keyid the directory
    does not hold, a directory whose signature fails, a directory signed for another authority
    than the Signature-Agent names, a directory on a private address (a gateway without
    allow_private_directories).

Usage: web_bot_auth_gateway_test.py BIN_DIR"""
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
import gwlib  # noqa: E402
from gwlib import AIP, check, free_port, run  # noqa: E402

work = gwlib.init("aip-wba-gw-")
PEER = os.path.join(gwlib.NODE_DIR, "wba_interop.mjs")
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def did_key_of_jwk_x(x):
    """did:key of an Ed25519 JWK's x (multicodec 0xed01, base58btc)."""
    import base64
    raw = b"\xed\x01" + base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "did:key:z" + "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


class Directory(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        served = self.server.served
        if self.path != "/.well-known/http-message-signatures-directory" or served is None:
            self.send_response(404)
            self.end_headers()
            return
        body = served["body"].encode()
        self.send_response(200)
        for name, value in served["headers"].items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_directory(context):
    """An HTTPS origin on 127.0.0.1 (named localhost:PORT); its directory is set later."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Directory)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.served = None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"localhost:{server.server_address[1]}"


def node(*args, env_extra=None):
    r = subprocess.run([gwlib.NODE, PEER, *args], capture_output=True, text=True, timeout=30, env=dict(os.environ, **(env_extra or {})))
    if r.returncode != 0:
        raise SystemExit(f"wba_interop.mjs {args[0]} failed: {r.stderr}")
    return json.loads(r.stdout)


def their_call(url, agent, key_file, tool="tasks.list_tasks", age=0):
    """A tools/call (through the gateway: a namespaced tool), signed by npm web-bot-auth's signer
    with the key in key_file."""
    signed = node("sign", url, agent, env_extra={"WBA_KEY": key_file, "WBA_AGE": str(age)})
    return signed["headers"], post(url, tool, signed["headers"])


def post(url, tool, headers):
    args = {"project": "project-a"} if not tool.endswith("create_task") else {"project": "project-a", "title": "from a bot"}
    return gwlib.post(url, "tools/call", {"name": tool, "arguments": args}, headers=dict(headers, **{"mcp-param-project": "project-a"}))


def reason(answer):
    status, _, body = answer
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return status, (error.get("data") or {}).get("reason", ""), error.get("message", "")


def ok(answer):
    status, _, body = answer
    return status == 200 and isinstance(body, dict) and "result" in body and not body["result"].get("isError")


try:
    # --- a CA of the test's own, and a certificate for localhost it issued -------------------------
    ca, cert, key = gwlib.make_certificate(["localhost"])
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)

    # --- the operators' origins ----------------------------------------------------------------------
    theirs, theirs_auth = serve_directory(tls)          # web-bot-auth's agent, its directory signed by http-message-sig
    ours, ours_auth = serve_directory(tls)              # aip's agent, its directory from `aip webbotauth directory`
    forged, forged_auth = serve_directory(tls)          # a directory whose signature does not verify
    elsewhere, elsewhere_auth = serve_directory(tls)    # serves a directory signed for another authority
    their_key = os.path.join(work, "their.jwk")
    theirs.served = node("operator", theirs_auth, their_key)
    stranger_key = os.path.join(work, "stranger.jwk")
    node("operator", theirs_auth, stranger_key)  # A key theirs' directory does not hold.
    bad = node("operator", forged_auth, os.path.join(work, "forged.jwk"))
    sig = bad["headers"]["signature"]
    bad["headers"]["signature"] = sig[:12] + ("A" if sig[12] != "A" else "B") + sig[13:]
    forged.served = bad
    elsewhere.served = node("operator", theirs_auth, os.path.join(work, "elsewhere.jwk"))

    homes = {n: os.path.join(work, n) for n in ("gateway", "strict", "anchor", "bot")}
    for name, home in homes.items():
        run([AIP, "init", "--name", name], home=home)
    anchor = gwlib.did_of(homes["anchor"])
    directory = json.loads(run([AIP, "webbotauth", "directory", "--authority", ours_auth, "--json"], home=homes["bot"]).stdout)
    ours.served = {"body": directory["body"], "headers": directory["headers"]}

    env = dict(os.environ, TASKS_KEY="tasks-key-" + os.urandom(8).hex())
    tasks_url, _ = gwlib.start_tasks_server(env)
    audit = os.path.join(work, "audit.jsonl")
    trust_db = os.path.join(work, "trust.db")
    rules = f"""{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "bots-read"
effect = "allow"
kinds = ["bot"]
principals = ["https://localhost:*#*"]
targets = ["list_tasks"]

[[rule]]
id = "writes-need-the-call-signed"
effect = "allow"
kinds = ["bot", "agent"]
targets = ["create_task"]
require = {{ credential = "aip-proof" }}

[[rule]]
id = "trusted-bots-export"
effect = "allow"
kinds = ["bot"]
targets = ["export_tasks"]
require = {{ trust = {{ min = 0.5, scope = "tools:tasks.*" }} }}
"""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
denial_detail = "full"
[audit]
path = "{audit}"
[trust]
db = "{trust_db}"
anchors = ["{anchor}"]
[web_bot_auth]
ca_file = "{ca}"
allow_private_directories = true   # the test's origins are on loopback
max_lifetime = "120s"
{rules}""", env, homes["gateway"])

    # --- their signer, our gateway -------------------------------------------------------------------
    headers, answer = their_call(url, "https://" + theirs_auth, their_key)
    check("web-bot-auth's signed call is admitted by the gateway", ok(answer), answer)
    lines = [json.loads(l) for l in open(audit) if '"list_tasks"' in l and '"bot"' in l]
    their_kid = theirs.served["keyid"]
    check("the audit line names the bot by origin and thumbprint, and how it proved itself",
          any(l.get("agent") == f"https://{theirs_auth}#{their_kid}" and l.get("kind") == "bot" and l.get("credentials") == ["web-bot-auth"]
              for l in lines), lines[-1:] if lines else open(audit).read()[-600:])
    check("a replayed nonce is refused", reason(post(url, "tasks.list_tasks", headers))[:2] == (401, "replayed_nonce"), reason(post(url, "tasks.list_tasks", headers)))
    _, answer = their_call(url, "https://" + theirs_auth, their_key, age=600)
    check("an expired signature is refused", reason(answer)[0] == 401 and "expired" in reason(answer)[2], reason(answer))
    _, answer = their_call(url, "https://" + theirs_auth, stranger_key)
    check("a keyid the directory does not hold is refused", reason(answer)[:2] == (401, "bot_unknown_key"), reason(answer))
    _, answer = their_call(url, "https://" + forged_auth, os.path.join(work, "forged.jwk"))
    check("a directory whose signature fails is refused", reason(answer)[:2] == (401, "bot_directory_invalid"), reason(answer))
    _, answer = their_call(url, "https://" + elsewhere_auth, os.path.join(work, "elsewhere.jwk"))
    check("a directory signed for another authority than Signature-Agent names is refused",
          reason(answer)[:2] == (401, "bot_directory_invalid") and elsewhere_auth in reason(answer)[2], reason(answer))
    _, answer = their_call(url, "https://" + theirs_auth, their_key, tool="tasks.create_task")
    status, _, body = answer
    check("Web Bot Auth alone does not satisfy a rule that requires aip's proof (-31003, says why)",
          body.get("error", {}).get("code") == -31003 and body["error"]["data"].get("field") == "credential"
          and "requires a credential: aip-proof" in body["error"]["message"], answer)

    # --- aip's own signer ----------------------------------------------------------------------------
    def aip_call(tool, *extra):
        args = '{"project":"project-a","title":"t"}' if tool == "create_task" else '{"project":"project-a"}'
        return run([AIP, "call", url, "tasks." + tool, "--args", args, "--web-bot-auth", "--signature-agent", "https://" + ours_auth, *extra],
                   home=homes["bot"])
    r = aip_call("list_tasks")
    check("aip call --web-bot-auth is admitted as a bot", r.returncode == 0, r.stdout + r.stderr)
    r = aip_call("create_task")
    check("without its proof, create_task is refused", r.returncode != 0 and "aip-proof" in r.stdout + r.stderr, r.stdout + r.stderr)
    r = aip_call("create_task", "--sign")
    check("with --sign (the same key's proof) create_task is allowed", r.returncode == 0, r.stdout + r.stderr)

    # `aip proxy --web-bot-auth`: a stdio client's calls signed the same way.
    proxy = gwlib.StdioProxy(url, homes["bot"], "--web-bot-auth", "--signature-agent", "https://" + ours_auth)
    hello = proxy.handshake()
    proxy.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}})
    answer = proxy.answer(2)
    proxy.close()
    check("aip proxy --web-bot-auth: a stdio client's call is admitted as the bot",
          hello is not None and answer is not None and "result" in answer and not answer["result"].get("isError"), answer)

    # --- trust: vouching for the bot's key --------------------------------------------------------------
    r = aip_call("export_tasks")
    check("with no vouch, the trust-gated tool is refused", r.returncode != 0 and "trust" in r.stdout + r.stderr, r.stdout + r.stderr)
    bot_did = gwlib.did_of(homes["bot"])
    check("the bot's did:key is its key's, as the thumbprint names it",
          did_key_of_jwk_x(json.loads(directory["body"])["keys"][0]["x"]) == bot_did, bot_did)
    vouch = os.path.join(work, "vouch.json")
    run([AIP, "vouch", bot_did, "--scope", "tools:tasks.*", "--weight", "0.9", "--statement", "our crawler", "--expires", "30d", "--out", vouch],
        home=homes["anchor"])
    r = run([AIP, "trust", "import", vouch, "--db", trust_db], home=homes["gateway"])
    check("the gateway's store imports the vouch for the bot's key", r.returncode == 0, r.stdout + r.stderr)
    deadline = time.time() + 10
    while (r := aip_call("export_tasks")).returncode != 0 and time.time() < deadline:
        time.sleep(0.3)
    check("vouched for, the bot is allowed the trust-gated tool", r.returncode == 0, r.stdout + r.stderr)
    # The operator as a whole: a vouch for its origin's did:web covers every key its directory lists.
    _, answer = their_call(url, "https://" + theirs_auth, their_key, tool="tasks.export_tasks")
    check("the other operator's bot is refused the trust-gated tool", reason(answer)[0] == 200 and not ok(answer), answer)
    operator_did = "did:web:" + theirs_auth.replace(":", "%3A")
    run([AIP, "vouch", operator_did, "--scope", "tools:tasks.*", "--weight", "0.9", "--statement", "a crawler operator we know",
         "--expires", "30d", "--out", vouch], home=homes["anchor"])
    r = run([AIP, "trust", "import", vouch, "--db", trust_db], home=homes["gateway"])
    check("the gateway's store imports a vouch for the operator's origin", r.returncode == 0, r.stdout + r.stderr)
    deadline = time.time() + 10
    while not ok(answer := their_call(url, "https://" + theirs_auth, their_key, tool="tasks.export_tasks")[1]) and time.time() < deadline:
        time.sleep(0.3)
    check("vouched for as an operator, its bot (any key its directory lists) is allowed", ok(answer), answer)

    # --- the server SDK on its own: example-tasks-server --accept-web-bot-auth ----------------------
    log = os.path.join(work, "wba-server.log")
    gwlib.start([os.path.join(gwlib.BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--require-proof", "--accept-web-bot-auth",
                 "--web-bot-auth-ca-file", ca, "--web-bot-auth-allow-private"], log, env)
    server_url = gwlib.wait_log(log, r"listening on (http://\S+/mcp)").group(1)
    _, answer = their_call(server_url, "https://" + theirs_auth, their_key, tool="list_tasks")
    check("an SDK server with --accept-web-bot-auth admits web-bot-auth's signed call", ok(answer), answer)
    check("and refuses the call unsigned (401)", post(server_url, "list_tasks", {})[0] == 401, post(server_url, "list_tasks", {}))
    _, answer = their_call(server_url, "https://" + theirs_auth, stranger_key, tool="list_tasks")
    check("and refuses a key the directory does not hold", reason(answer)[:2] == (401, "bot_unknown_key"), reason(answer))

    # --- a gateway that keeps to public addresses ------------------------------------------------------
    strict_port = free_port()
    strict_url = f"http://127.0.0.1:{strict_port}/mcp"
    gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{strict_port}"
[web_bot_auth]
ca_file = "{ca}"
{rules.split("[[rule]]")[0]}[[rule]]
id = "bots-read"
effect = "allow"
kinds = ["bot"]
targets = ["list_tasks"]
""", env, homes["strict"], name="strict")
    _, answer = their_call(strict_url, "https://" + theirs_auth, their_key)
    check("a directory on a private address is not fetched", reason(answer)[:2] == (401, "bot_directory_unavailable"), reason(answer))
finally:
    sys.exit(gwlib.finish())
