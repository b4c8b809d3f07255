// The official MCP TypeScript SDK client against aip's example-tasks-server, over Streamable
// HTTP and stdio. Usage: node sdk_client_test.mjs <server-binary> <http-url>
// Ends with "N passed, N failed".
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [serverBinary, httpUrl] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); }
}

async function exercise(label, transport) {
  const client = new Client({ name: "sdk-interop-test", version: "1.0.0" });
  await client.connect(transport);
  check(`${label}: server name`, client.getServerVersion()?.name === "example-tasks-server");
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  check(`${label}: tools/list`, JSON.stringify(names) === JSON.stringify(["create_task", "export_tasks", "list_tasks"]), JSON.stringify(names));
  const list = await client.callTool({ name: "list_tasks", arguments: { project: "project-a" } });
  check(`${label}: list_tasks structured`, Array.isArray(list.structuredContent?.tasks) && list.structuredContent.tasks.length >= 3,
        JSON.stringify(list));
  const created = await client.callTool({ name: "create_task", arguments: { project: "project-a", title: `from ${label}` } });
  check(`${label}: create_task`, created.content?.[0]?.text?.includes(`from ${label}`), JSON.stringify(created));
  const invalid = await client.callTool({ name: "create_task", arguments: { project: "project-a" } });
  check(`${label}: invalid arguments are an isError result`, invalid.isError === true, JSON.stringify(invalid));
  let progress = 0;
  const exported = await client.callTool({ name: "export_tasks", arguments: { project: "project-b" } }, undefined, {
    onprogress: () => { progress++; },
  });
  // Over stdio the SDK may drop the last notification when it arrives in the same read as the
  // response (it dispatches notifications a microtask later); HTTP streams deliver each event.
  const wanted = label === "http" ? progress === 2 : progress >= 1;
  check(`${label}: export_tasks streams progress`, wanted && exported.content?.[0]?.text?.startsWith("id,title,done"),
        `progress=${progress} ${JSON.stringify(exported)}`);
  const res = await client.readResource({ uri: "task://project-b/4" });
  check(`${label}: resources/read`, res.contents?.[0]?.text?.includes("billing"), JSON.stringify(res));
  const prompt = await client.getPrompt({ name: "summarize_project", arguments: { project: "project-b" } });
  check(`${label}: prompts/get`, prompt.messages?.[0]?.content?.text?.includes("project-b"));
  const comp = await client.complete({ ref: { type: "ref/prompt", name: "summarize_project" }, argument: { name: "project", value: "project-" } });
  check(`${label}: completion`, comp.completion?.values?.length === 2, JSON.stringify(comp));
  try {
    await client.callTool({ name: "no_such_tool", arguments: {} });
    check(`${label}: unknown tool is a protocol error`, false);
  } catch (e) {
    check(`${label}: unknown tool is a protocol error`, String(e).includes("-32602"), String(e));
  }
  await client.close();
}

try {
  await exercise("http", new StreamableHTTPClientTransport(new URL(httpUrl)));
  await exercise("stdio", new StdioClientTransport({ command: serverBinary, args: ["--stdio"] }));
} catch (e) {
  failed++;
  console.log(`FAIL: unexpected error ${e?.stack ?? e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
