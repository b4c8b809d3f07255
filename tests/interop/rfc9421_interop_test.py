#!/usr/bin/env python3
"""aip's RFC 9421 profile (docs/protocol.md, "HTTP message signatures") both ways against npm's
http-message-signatures, an implementation independent of aip's:
  - `aip call URL TOOL --http-signature` signs its requests; a server checking them with
    http-message-signatures' verifier and the caller's key accepts them (every profile component
    and parameter required, Content-Digest matching the body), and refuses another key's;
  - http-message-signatures signs a tools/call the way the profile says; aip's example server
    (`--require-proof`, no other credential in the request) runs it, and refuses it with the body
    changed (digest_mismatch) and when replayed (replayed_nonce).

Usage: rfc9421_interop_test.py BIN_DIR"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
import gwlib  # noqa: E402
from gwlib import AIP, check, run  # noqa: E402

work = gwlib.init("aip-rfc9421-")
PEER = os.path.join(gwlib.NODE_DIR, "rfc9421_interop.mjs")


def key_x(home):
    """The identity's Ed25519 public key as a JWK x (from the key directory aip prints)."""
    directory = json.loads(run([AIP, "webbotauth", "directory", "--authority", "x.example", "--json"], home=home).stdout)
    return json.loads(directory["body"])["keys"][0]["x"]


def reason(answer):
    status, _, body = answer
    error = body.get("error", {}) if isinstance(body, dict) else {}
    return status, (error.get("data") or {}).get("reason", "")


try:
    homes = {n: os.path.join(work, n) for n in ("agent", "other")}
    for name, home in homes.items():
        run([AIP, "init", "--name", name], home=home)

    # --- aip's signer, their verifier -------------------------------------------------------------
    peer = subprocess.Popen([gwlib.NODE, PEER, "serve", key_x(homes["agent"])], stdout=subprocess.PIPE, text=True)
    gwlib.procs.append(peer)
    port = json.loads(peer.stdout.readline())["port"]
    url = f"http://127.0.0.1:{port}/mcp"
    args = ["get_forecast", "--args", '{"city":"Paris","time":"2026-12-06T12:00:00Z"}', "--http-signature"]
    r = run([AIP, "call", url, *args], home=homes["agent"])
    seen = json.loads(peer.stdout.readline())
    check("aip's RFC 9421 signature is accepted by http-message-signatures' verifier, every profile component covered",
          seen.get("ok") is True and seen.get("tag") == "aip-mcp" and seen.get("digest_ok") is True, seen)
    check("the command itself fails: the peer is no MCP server", r.returncode != 0, r.stderr)
    run([AIP, "call", url, *args], home=homes["other"])
    seen = json.loads(peer.stdout.readline())
    check("another key's signature is refused by it", seen.get("ok") is False, seen)

    # --- their signer, aip's verifier -------------------------------------------------------------
    log = os.path.join(work, "weather.log")
    gwlib.start([os.path.join(gwlib.BIN, "example-weather-server"), "--http", "127.0.0.1:0", "--require-proof"], log, dict(os.environ))
    server = gwlib.wait_log(log, r"listening on (http://\S+/mcp)").group(1)
    params = {"name": "get_forecast", "arguments": {"city": "Paris", "time": "2026-12-06T12:00:00Z"}, "_meta": gwlib.META}
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream",
               "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "get_forecast"}

    def their_signature():
        out = subprocess.run([gwlib.NODE, PEER, "sign", json.dumps({"method": "POST", "url": server, "headers": headers, "body": body})],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise SystemExit("rfc9421_interop.mjs sign failed: " + out.stderr)
        return json.loads(out.stdout)["headers"]

    signed = their_signature()
    status, _, answer = gwlib.post(server, "tools/call", headers=signed, raw=body.encode())
    check("http-message-signatures' signature is accepted by aip's server, which runs the call",
          status == 200 and isinstance(answer, dict) and "result" in answer and not answer["result"].get("isError"), (status, answer))
    check("the same signature again is refused as replayed", reason(gwlib.post(server, "tools/call", headers=signed, raw=body.encode()))
          == (401, "replayed_nonce"))
    changed = body.replace("Paris", "Lyon")
    refused = reason(gwlib.post(server, "tools/call", headers=their_signature(), raw=changed.encode()))
    check("their signature over another body is refused (its Content-Digest no longer matches)", refused == (401, "digest_mismatch"), refused)
finally:
    sys.exit(gwlib.finish())
