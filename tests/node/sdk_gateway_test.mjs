// The official MCP TypeScript SDK client through `aip gateway`: it sees the namespaced tools
// its policy lets it call (anonymous callers here), calls them, and gets the gateway's
// refusals as errors. Usage: node sdk_gateway_test.mjs <gateway-url>. Ends with "N passed, N failed".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); }
}

const client = new Client({ name: "sdk-gateway-test", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));
check("server name", client.getServerVersion()?.name === "aip-gateway", JSON.stringify(client.getServerVersion()));
const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
check("lists only what an anonymous caller may call", JSON.stringify(names) ===
      JSON.stringify(["everything.echo", "everything.get-env", "everything.get-sum", "everything.trigger-long-running-operation", "tasks.list_tasks"]),
      JSON.stringify(names));
const echo = await client.callTool({ name: "everything.echo", arguments: { message: "through the gateway" } });
check("echo via gateway (stdio upstream)", echo.content?.[0]?.text === "Echo: through the gateway", JSON.stringify(echo));
const list = await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-a" } });
check("list_tasks via gateway (HTTP upstream)", list.structuredContent?.tasks?.length >= 3, JSON.stringify(list));
let progress = 0;
const long = await client.callTool({ name: "everything.trigger-long-running-operation", arguments: { duration: 1, steps: 2 } },
                                   undefined, { onprogress: () => { progress++; } });
check("progress notifications are relayed", progress >= 1 && !long.isError, `progress=${progress} ${JSON.stringify(long)}`);
try {
  await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-b" } });
  check("project-b refused", false, "call succeeded");
} catch (e) {
  check("project-b refused", /401|-31001|Unauthenticated/.test(String(e)), String(e));
}
try {
  await client.callTool({ name: "tasks.export_tasks", arguments: { project: "project-a" } });
  check("unlisted tool refused", false, "call succeeded");
} catch (e) {
  check("unlisted tool refused", /401|-31001|Unauthenticated/.test(String(e)), String(e));
}
await client.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
