#!/usr/bin/env python3
"""An MCP upstream whose tool definitions a test changes while it runs (legacy era, HTTP on
loopback), for the tool-integrity tests: tools/list answers what TOOLS_FILE holds at that moment
(re-read on every list: a JSON array of tools, or a whole tools/list result object); with a second file, lists alternate between the two (a server that
shows different definitions from one fetch to the next). tools/call answers "called NAME".
Prints "listening on URL" to stderr once it serves.
Usage: mutable_upstream.py TOOLS_FILE [OTHER_TOOLS_FILE]"""
import itertools
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FILES = itertools.cycle(sys.argv[1:3])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(200)
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
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": "2025-06-18", "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "mutable", "version": "1"}}}, {"mcp-session-id": "mutable-session"})
        elif method == "tools/list":
            with open(next(FILES)) as f:
                listed = json.load(f)
            # A list is the tools; an object is a whole result as captured (its _meta kept).
            self.reply({"jsonrpc": "2.0", "id": rid, "result": listed if isinstance(listed, dict) else {"tools": listed}})
        elif method == "tools/call":
            name = msg["params"]["name"]
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": f"called {name}"}]}})
        elif method == "ping":
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {}})
        else:
            self.reply({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening on http://127.0.0.1:{server.server_address[1]}/mcp", file=sys.stderr, flush=True)
server.serve_forever()
