#!/usr/bin/python3
"""Writes N requests signed the Python AIP way (X-AIP-* headers over
"POST:/mcp:{ts}:{nonce}:{sha256hex(body)}"), one per line as ts<TAB>nonce<TAB>signature<TAB>body,
each with its own nonce, and the signer's {did: public key} to KEYS_JSON.
Usage: /usr/bin/python3 sign_legacy.py N OUT KEYS_JSON SEED_HEX  (the agent's 32-byte key seed)"""
import base64, datetime, hashlib, json, os, sys

import nacl.signing

n, out, keys_file, seed = int(sys.argv[1]), sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
key = nacl.signing.SigningKey(seed)
pub = bytes(key.verify_key)
did = "did:aip:" + hashlib.sha256(pub).hexdigest()[:32]
json.dump({did: pub.hex()}, open(keys_file, "w"))
body = ('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},'
        '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}')
digest = hashlib.sha256(body.encode()).hexdigest()
ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
with open(out, "w") as f:
    f.write(f"{did}\n")
    for _ in range(n):
        nonce = os.urandom(8).hex()
        sig = base64.b64encode(key.sign(f"POST:/mcp:{ts}:{nonce}:{digest}".encode()).signature).decode()
        f.write(f"{ts}\t{nonce}\t{sig}\t{body}\n")
