#!/usr/bin/env python3
"""A hostile MCP upstream for the gateway's deadline tests (legacy era, HTTP on loopback).

tools/call of `drip` answers with an event stream that only ever sends keep-alive comments;
`chatty` sends a progress notification every 0.3 s and never the result. Each stream stops by
itself after 30 s or when the reader leaves (then it prints "reader left after N s"). Prints "listening on URL" to stderr once it serves.
Usage: drip_upstream.py
"""
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcp_stub import LegacyMcpHandler, serve  # noqa: E402

TOOLS = [{"name": n, "inputSchema": {"type": "object"}} for n in ("drip", "chatty")]


class Handler(LegacyMcpHandler):
    NAME = "drip"

    def answer(self, method, rid, msg):
        if method == "tools/list":
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {"tools": TOOLS}})
        elif method == "tools/call":
            self.stream(msg["params"]["name"] == "chatty", msg.get("params", {}).get("_meta", {}).get("progressToken", "t"))
        else:
            super().answer(method, rid, msg)

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


serve(Handler)
