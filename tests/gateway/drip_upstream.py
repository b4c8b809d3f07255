#!/usr/bin/env python3
"""A hostile MCP upstream for the gateway's deadline tests (legacy era, HTTP on loopback).

tools/call of `drip` answers with an event stream that only ever sends keep-alive comments;
`chatty` sends a progress notification every 0.3 s and never the result. Each stream stops by
itself after 30 s or when the reader leaves (then it prints "reader left after N s"). Prints "listening on URL" to stderr once it serves.
Usage: drip_upstream.py
"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOOLS = [{"name": n, "inputSchema": {"type": "object"}} for n in ("drip", "chatty")]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_DELETE(self):
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        msg = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
        method, rid = msg.get("method"), msg.get("id")
        if rid is None:
            self.send_response(202)
            self.send_header("content-length", "0")
            self.end_headers()
        elif method == "initialize":
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "serverInfo": {"name": "drip", "version": "1"}}},
                {"mcp-session-id": "drip-session"})
        elif method == "tools/list":
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
        elif method == "tools/call":
            self.stream(msg["params"]["name"] == "chatty", msg.get("params", {}).get("_meta", {}).get("progressToken", "t"))
        else:
            self.reply(404, {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}})

    def stream(self, chatty, token):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        start = time.time()
        end, n = start + 30, 0
        try:
            while time.time() < end:
                if chatty:
                    n += 1
                    note = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": token, "progress": n}}
                    self.wfile.write(b"event: message\ndata: " + json.dumps(note).encode() + b"\n\n")
                    time.sleep(0.3)
                else:
                    self.wfile.write(b": keepalive\n\n")
                    time.sleep(0.2)
                self.wfile.flush()
        except OSError:
            # The reader left: say when, for the tests that check cancellation reaches us.
            print(f"reader left after {time.time() - start:.1f} s", file=sys.stderr, flush=True)
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_address[1]}/mcp", file=sys.stderr, flush=True)
server.serve_forever()
