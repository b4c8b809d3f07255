#!/usr/bin/python3
"""The Python anchor of the gateway benchmark: what a team would deploy with the Python AIP
project's own approach — FastAPI on uvicorn (uvloop, httptools), checking the X-AIP-* headers
with PyNaCl (libsodium, as aip uses), a nonce remembered once in memory, answering a list_tasks
result of the same size as aip's example server. One worker per core, each with its own
SO_REUSEPORT socket (the kernel spreads connections), so neither side is held to one core.

Each worker remembers only the nonces it saw: a replay the kernel hands to another worker is
served. That is what an in-memory nonce set gives a multi-worker Python deployment, and it makes
the anchor cheaper, not dearer, than aip (whose nonces are checked process-wide, or across
instances with a shared store); the benchmark checks the refusal on one connection.

Usage: /usr/bin/python3 fastapi_aip.py PORT KEYS_JSON RESULT_JSON
  KEYS_JSON: {"did": "hex public key", ...} — the agents it knows (the Python service's registry)
  RESULT_JSON: the JSON-RPC result to answer (copied from aip's example server)
"""
import base64, datetime, hashlib, json, os, socket, sys, time

import nacl.exceptions
import nacl.signing
import uvicorn
from fastapi import FastAPI, Request, Response

port, keys_file, result_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
KEYS = {did: nacl.signing.VerifyKey(bytes.fromhex(pub)) for did, pub in json.load(open(keys_file)).items()}
RESULT = open(result_file).read().strip()
MAX_AGE, MAX_SKEW = 300, 60
seen = {}  # (did, nonce) -> expiry; pruned as it goes.
app = FastAPI()


def refuse(reason):
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -31001, "message": "Unauthenticated", "data": {"reason": reason}}})
    return Response(body, status_code=401, media_type="application/json")


@app.post("/mcp")
async def mcp(request: Request):
    body = await request.body()
    h = request.headers
    did, sig, ts, nonce = h.get("x-aip-did"), h.get("x-aip-signature"), h.get("x-aip-timestamp"), h.get("x-aip-nonce")
    if not (did and sig and ts and nonce) or did not in KEYS:
        return refuse("missing_credential")
    try:
        when = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
        signature = base64.b64decode(sig, validate=True)
    except ValueError:
        return refuse("bad_legacy_signature")
    now = time.time()
    if when > now + MAX_SKEW or when + MAX_AGE < now:
        return refuse("expired")
    payload = f"POST:/mcp:{ts}:{nonce}:{hashlib.sha256(body).hexdigest()}".encode()
    try:
        KEYS[did].verify(payload, signature)
    except nacl.exceptions.BadSignatureError:
        return refuse("bad_legacy_signature")
    key = (did, nonce)
    if key in seen:
        return refuse("replayed_nonce")
    seen[key] = when + MAX_AGE
    if len(seen) > 1_000_000:
        for k in [k for k, exp in seen.items() if exp < now]:
            del seen[k]
    request_id = json.loads(body).get("id")
    return Response('{"jsonrpc":"2.0","id":%s,"result":%s}' % (json.dumps(request_id), RESULT), media_type="application/json")


def serve(sock):
    uvicorn.run(app, fd=sock.fileno(), loop="uvloop", http="httptools", log_level="warning", access_log=False)


if __name__ == "__main__":
    children = []
    for _ in range(os.cpu_count() or 1):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        pid = os.fork()
        if pid == 0:
            serve(sock)
            os._exit(0)
        sock.close()
        children.append(pid)
    print(f"listening on http://127.0.0.1:{port}/mcp with {len(children)} workers", flush=True)
    try:
        for pid in children:
            os.waitpid(pid, 0)
    except KeyboardInterrupt:
        pass
