"""The part every hand-written test upstream shares: a legacy-era MCP server over HTTP on
loopback (initialize with a session, notifications accepted, DELETE ends the session), whose
requests a subclass answers in `answer(method, rid, msg)`."""
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LegacyMcpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    NAME = "stub"
    CAPABILITIES = {"tools": {}}

    def log_message(self, *args):
        pass

    def reply(self, body, headers=None, status=200):
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
            self.reply({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": "2025-06-18", "capabilities": self.CAPABILITIES, "serverInfo": {"name": self.NAME, "version": "1"}}},
                {"mcp-session-id": self.NAME + "-session"})
        else:
            self.answer(method, rid, msg)

    def answer(self, method, rid, msg):
        self.reply({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}}, status=404)


def serve(handler):
    """Serves `handler` on a free loopback port, saying where on stderr ("listening on URL")."""
    import sys
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/mcp", file=sys.stderr, flush=True)
    server.serve_forever()
