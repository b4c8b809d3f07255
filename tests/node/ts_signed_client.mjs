// The official TypeScript SDK client with @aip/mcp's SignedClientTransport: every request signed
// with the identity in $AIP_HOME (or AIP_PRIVATE_KEY). Calls TOOL with ARGS and prints the result.
// Usage: node ts_signed_client.mjs URL TOOL [ARGS_JSON]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SignedClientTransport } from "@aip/mcp";

const [url, tool, args = "{}"] = process.argv.slice(2);
const transport = new SignedClientTransport(new StreamableHTTPClientTransport(new URL(url)), { audience: url });
const client = new Client({ name: "ts-signed-client", version: "1.0.0" });
await client.connect(transport);
const { tools } = await client.listTools();
try {
  const result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
  console.log(JSON.stringify({ did: transport.did, tools: tools.map((t) => t.name), result }));
} catch (e) {
  console.log(JSON.stringify({ did: transport.did, error: { code: e.code, message: e.message, data: e.data } }));
}
await client.close();
