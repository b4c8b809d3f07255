// The official MCP TypeScript SDK client through a round-robin load balancer in front of several
// `aip gateway` instances: one session (the SDK's 2025-era protocol) whose requests land on
// every instance in turn, authenticated by an API key the instances share.
// Usage: API_KEY=... node sdk_cluster_test.mjs <balanced-url> <calls>. Prints the session id,
// then "N passed, N failed".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, calls] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); }
}

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { "X-Api-Key": process.env.API_KEY } },
});
const client = new Client({ name: "sdk-cluster-test", version: "1.0.0" });
await client.connect(transport);
const session = transport.sessionId;
check("a session was opened", typeof session === "string" && session.length > 0, String(session));
const { tools } = await client.listTools();
check("tools/list in the session", tools.some((t) => t.name === "tasks.list_tasks"), JSON.stringify(tools.map((t) => t.name)));
let served = 0;
for (let i = 0; i < Number(calls); i++) {
  const r = await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-a" } });
  if (!r.isError && r.structuredContent?.tasks?.length >= 1) served++;
  else console.log(`call ${i}: ${JSON.stringify(r)}`);
}
check(`every call in the session served (${served} of ${calls})`, served === Number(calls));
check("the session id never changed", transport.sessionId === session);
await client.close();
console.log(`session ${session}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
