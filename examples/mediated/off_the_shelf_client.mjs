// An off-the-shelf MCP client: the official TypeScript SDK, with no aip code at all. It launches
// `aip proxy GATEWAY_URL` as its stdio server — exactly what a Claude Desktop, Cursor or VS Code
// configuration does (docs/proxy.md) — and so calls the gateway as the agent whose identity is
// in $AIP_HOME. Usage: node off_the_shelf_client.mjs AIP_BINARY GATEWAY_URL
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [aip, url] = process.argv.slice(2);
const client = new Client({ name: "off-the-shelf-client", version: "1.0.0" });
// Like a client's configuration, name the variables the proxy needs: clients start their servers
// with a bare environment.
const env = Object.fromEntries(["AIP_HOME", "AIP_PASSPHRASE", "PATH", "HOME"].filter((k) => process.env[k]).map((k) => [k, process.env[k]]));
await client.connect(new StdioClientTransport({ command: aip, args: ["proxy", url], env, stderr: "ignore" }));
const { tools } = await client.listTools();
console.log(`tools this agent may call: ${tools.map((t) => t.name).join(", ")}`);
const list = await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-a" } });
console.log(`tasks.list_tasks(project-a): ${list.structuredContent?.tasks?.length ?? 0} tasks`);
try {
  await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-b" } });
  console.log("tasks.list_tasks(project-b): allowed?!");
  process.exitCode = 1;
} catch (e) {
  console.log(`tasks.list_tasks(project-b): refused — ${e.message} (reason: ${e.data?.reason})`);
  if (e.data?.reason !== "argument_condition") process.exitCode = 1;
}
await client.close();
