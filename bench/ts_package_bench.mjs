// packages/aip-mcp per call: sign a request (the client's cost) and verify it (strict parse, proof
// checks, signature, replay cache: the server's cost), on the request signed_call_benchmark.cc
// uses, so the figures sit beside the C++ verifier's. Prints "TS sign_us=… verify_us=…" (medians
// of 7 batches). Usage: node ts_package_bench.mjs
import { Identity, ReplayCache, parseStrict, signRequest, verifyRequest } from "../packages/aip-mcp/src/index.js";

const audience = "https://tasks.example.com/mcp";
const agent = new Identity(crypto.getRandomValues(new Uint8Array(32)));
const request = {
  jsonrpc: "2.0", id: 1, method: "tools/call",
  params: {
    name: "create_task",
    arguments: { project: "project-a", title: "Prepare the quarterly report for the finance team", priority: 3,
                 tags: ["finance", "q3", "report"], due: "2026-12-01T17:00:00Z",
                 notes: "Include revenue by region, cost breakdown, and variance against plan." },
    _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} },
  },
};
const N = 2000;
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const signs = [], verifies = [];
for (let batch = 0; batch < 7; batch++) {
  let t = process.hrtime.bigint();
  const texts = [];
  for (let i = 0; i < N; i++) texts.push(JSON.stringify(signRequest(request, agent, { audience })));
  signs.push(Number(process.hrtime.bigint() - t) / N / 1000);
  const cache = new ReplayCache({ maxEntries: 2 * N });
  t = process.hrtime.bigint();
  for (const text of texts) verifyRequest(parseStrict(text), { audiences: [audience], replayCache: cache });
  verifies.push(Number(process.hrtime.bigint() - t) / N / 1000);
}
console.log(`TS sign_us=${median(signs).toFixed(1)} verify_us=${median(verifies).toFixed(1)}`);
