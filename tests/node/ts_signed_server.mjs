// An MCP server on the official TypeScript SDK that requires aip signed calls through
// @aip/mcp's aipAuth, and greets each caller by the DID its proof proved.
// Usage: node ts_signed_server.mjs — prints "listening on http://127.0.0.1:PORT/mcp".
import http from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { aipAuth } from "@aip/mcp";

function build() {
  const server = new McpServer({ name: "ts-signed-server", version: "1.0.0" });
  server.registerTool("whoami", { description: "The caller's DID, as its signed request proved it" },
                      async (extra) => ({ content: [{ type: "text", text: `hello ${extra.authInfo?.extra?.did ?? "anonymous"}` }] }));
  return server;
}

let auth;
const httpServer = http.createServer((req, res) => {
  if (new URL(req.url, "http://x").pathname !== "/mcp") {
    res.writeHead(404).end();
    return;
  }
  auth(req, res, async () => {
    // Stateless: one transport per request.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = build();
    res.on("close", () => { transport.close(); server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
});
httpServer.listen(0, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${httpServer.address().port}/mcp`;
  auth = aipAuth({ audiences: [url] });
  console.log(`listening on ${url}`);
});
