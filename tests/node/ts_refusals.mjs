// Sends the same forged and misused requests to a server and prints what it answered each:
// {case: [HTTP status, data.reason]}. Run against aip's C++ server and a TypeScript server using
// @aip/mcp, the two outputs must be the same.
// Usage: node ts_refusals.mjs URL modern|legacy   (the era of the requests' transport headers)
import { loadIdentity, signRequest } from "@aip/mcp";

const [url, era] = process.argv.slice(2);
const identity = loadIdentity();
const modern = era === "modern";
const meta = modern ? { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } : {};
const call = (name, args) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args, _meta: { ...meta } } });
const [tool, args] = modern ? ["list_tasks", { project: "project-a" }] : ["whoami", {}];

async function post(body) {
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream",
                    "mcp-protocol-version": modern ? "2026-07-28" : "2025-06-18" };
  if (modern) Object.assign(headers, { "mcp-method": "tools/call", "mcp-name": tool, "mcp-param-project": "project-a" });
  const r = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await r.text();
  // The answer is JSON, or an event stream whose last message is the response.
  const data = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5));
  let reason = null;
  try {
    const message = JSON.parse(data.length > 0 ? data[data.length - 1] : text);
    reason = message.error?.data?.reason ?? (message.result ? "accepted" : null);
  } catch {
    reason = text.slice(0, 80);
  }
  return [r.status, reason];
}

const out = {};
const good = signRequest(call(tool, args), identity, { audience: url });
out.accepted = await post(good);
out.replayed = await post(good);
const tampered = signRequest(call(tool, args), identity, { audience: url });
tampered.params.arguments = modern ? { project: "project-a", extra: 1 } : { extra: 1 };
out.tampered = await post(tampered);
out.wrong_audience = await post(signRequest(call(tool, args), identity, { audience: "https://elsewhere.example/mcp" }));
out.expired = await post(signRequest(call(tool, args), identity, { audience: url, now: Date.now() - 10 * 60 * 1000 }));
out.unsigned = await post(call(tool, args));
console.log(JSON.stringify(out));
