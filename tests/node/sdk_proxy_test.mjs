// The official MCP TypeScript SDK client, unmodified, launching `aip proxy URL` as its stdio
// server — as Claude Desktop, Cursor or VS Code would — and reaching an aip gateway with the
// agent's identity: listing, a signed call, progress, cancellation, an elicitation round trip, a
// denied call whose reason the client receives.
// Usage: node sdk_proxy_test.mjs <aip> <gateway-url> <agent AIP_HOME>. Ends with "N passed, N failed".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [aip, url, home] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); }
}

const transport = new StdioClientTransport({
  command: aip, args: ["proxy", url],
  env: { ...process.env, AIP_HOME: home, AIP_PASSPHRASE: "test-pass" },
  stderr: "pipe",
});
let proxyLog = "";
transport.stderr?.on("data", (d) => { proxyLog += d.toString(); });
let transportErrors = 0;
transport.onerror = (e) => { transportErrors++; console.log(`transport error: ${e}`); };

const client = new Client({ name: "sdk-proxy-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
let elicited = null;
client.setRequestHandler(ElicitRequestSchema, async (req) => {
  elicited = req.params.message;
  return { action: "accept", content: { name: "Ada" } };
});
await client.connect(transport);
check("the gateway answers through the proxy", client.getServerVersion()?.name === "aip-gateway", JSON.stringify(client.getServerVersion()));

const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
check("the agent sees the tools its policy allows it", names.includes("tasks.list_tasks") && names.includes("conf.test_input_required_result_elicitation"),
      JSON.stringify(names));

const list = await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-a" } });
check("a signed call goes through", !list.isError && list.structuredContent?.tasks?.length >= 3, JSON.stringify(list));

let progress = 0;
const exported = await client.callTool({ name: "tasks.export_tasks", arguments: { project: "project-a" } }, undefined,
                                       { onprogress: () => { progress++; } });
check("progress is relayed", !exported.isError && progress >= 1, `progress=${progress} ${JSON.stringify(exported)}`);

const hello = await client.callTool({ name: "conf.test_input_required_result_elicitation", arguments: {} });
check("an elicitation round trip: the server asks, the client answers, the call completes",
      elicited === "What is your name?" && hello.content?.[0]?.text === "Hello, Ada!", `${elicited} ${JSON.stringify(hello)}`);

try {
  await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-b" } });
  check("a denied call is refused", false, "call succeeded");
} catch (e) {
  check("a denied call's reason reaches the client",
        e.code === -31003 && /denied by rule `agent-tasks`: \/project must be "project-a"/.test(e.message) &&
        e.data?.reason === "argument_condition" && e.data?.field === "/project" && /^[0-9a-f]{16}$/.test(e.data?.correlationId ?? ""),
        `${e.code} ${e.message} ${JSON.stringify(e.data)}`);
}

const controller = new AbortController();
const started = Date.now();
const long = client.callTool({ name: "everything.trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
                             undefined, { signal: controller.signal, onprogress: () => controller.abort("enough") });
try {
  await long;
  check("a cancelled call does not complete", false, "completed");
} catch (e) {
  check("a cancelled call ends at once", Date.now() - started < 10000, `${Date.now() - started} ms: ${e}`);
}
const after = await client.callTool({ name: "tasks.list_tasks", arguments: { project: "project-a" } });
check("the proxy goes on after a cancellation", !after.isError, JSON.stringify(after));

await client.close();
check("stdout carried only protocol (no transport errors)", transportErrors === 0);
check("the proxy logged to stderr", proxyLog.includes("aip proxy: "), proxyLog);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
