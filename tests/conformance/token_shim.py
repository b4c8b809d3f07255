#!/usr/bin/env python3
"""A loopback relay that adds `Authorization: Bearer TOKEN` to every request, for test clients
that cannot send headers of their own (the conformance suite) but must reach `aip proxy --listen`,
which serves only the holder of its per-run token. Responses, event streams included, are relayed
as they arrive.

Usage: token_shim.py TARGET_URL TOKEN_FILE   (prints "listening on http://127.0.0.1:PORT/mcp")
"""
import http.client, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

target = urllib.parse.urlsplit(sys.argv[1])
token = open(sys.argv[2]).read().strip()
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "authorization"}


class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["authorization"] = "Bearer " + token
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        conn.request(self.command, self.path, body=body or None, headers=headers)
        r = conn.getresponse()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            while True:
                chunk = r.read1(65536)
                if not chunk:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        conn.close()

    do_GET = do_POST = do_DELETE = relay


server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
print(f"listening on http://127.0.0.1:{server.server_address[1]}/mcp", flush=True)
server.serve_forever()
