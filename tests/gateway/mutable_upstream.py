#!/usr/bin/env python3
"""An MCP upstream whose tool definitions a test changes while it runs (legacy era, HTTP on
loopback), for the tool-integrity tests: tools/list answers what TOOLS_FILE holds at that moment
(re-read on every list: a JSON array of tools, or a whole tools/list result object); with a second file, lists alternate between the two (a server that
shows different definitions from one fetch to the next). tools/call answers "called NAME".
Prints "listening on URL" to stderr once it serves.
With --notify, each tools/call is answered as an event stream that first says
notifications/tools/list_changed.
Usage: mutable_upstream.py [--notify] TOOLS_FILE [OTHER_TOOLS_FILE]"""
import itertools
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcp_stub import LegacyMcpHandler, serve  # noqa: E402

NOTIFY = "--notify" in sys.argv
FILES = itertools.cycle([a for a in sys.argv[1:] if a != "--notify"][:2])


class Handler(LegacyMcpHandler):
    NAME = "mutable"
    CAPABILITIES = {"tools": {"listChanged": True}}

    def answer(self, method, rid, msg):
        if method == "tools/list":
            with open(next(FILES)) as f:
                listed = json.load(f)
            # A list is the tools; an object is a whole result as captured (its _meta kept).
            self.reply({"jsonrpc": "2.0", "id": rid, "result": listed if isinstance(listed, dict) else {"tools": listed}})
        elif method == "tools/call":
            name = msg["params"]["name"]
            answer = {"jsonrpc": "2.0", "id": rid, "result": {"content": [{"type": "text", "text": f"called {name}"}]}}
            if not NOTIFY:
                self.reply(answer)
                return
            changed = {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
            data = "".join(f"event: message\ndata: {json.dumps(m)}\n\n" for m in (changed, answer)).encode()
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif method == "ping":
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {}})
        else:
            super().answer(method, rid, msg)


serve(Handler)
