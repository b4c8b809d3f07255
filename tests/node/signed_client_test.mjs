// An independent implementation of aip's signed calls, written from docs/protocol.md alone
// (Node's crypto for Ed25519 and SHA-256, a small JCS and base58), wrapped around the official
// TypeScript SDK client's transport. Our server, started with --require-proof, must accept its
// calls and refuse unsigned or tampered ones.
// Usage: node signed_client_test.mjs <http-url>   Ends with "N passed, N failed".
import crypto from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.argv[2];
let passed = 0, failed = 0;
const check = (name, cond, detail = "") => { if (cond) passed++; else { failed++; console.log(`FAIL: ${name} ${detail}`); } };

// RFC 8785 for the values MCP requests carry: JSON.stringify already formats numbers as
// ECMAScript does and escapes strings minimally; keys sort by UTF-16 code units (JS default).
function jcs(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
  return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",") + "}";
}
const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(bytes) {
  let n = BigInt("0x" + (Buffer.from(bytes).toString("hex") || "0"));
  let out = "";
  while (n > 0n) { out = B58[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = "1" + out; }
  return out;
}
const sha256 = (s) => crypto.createHash("sha256").update(s).digest();

// The agent's key: a fresh Ed25519 pair; did:key = "did:key:z" + base58(0xed 0x01 || pub).
const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
const multikey = "z" + base58(Buffer.concat([Buffer.from([0xed, 0x01]), pub]));
const did = "did:key:" + multikey;

function sign(request, audience) {
  const params = request.params ?? (request.params = {});
  const meta = params._meta ?? (params._meta = {});
  delete meta["dev.aip/proof"];
  const { id, ...secured } = request;  // The secured document: the request without its id.
  const created = new Date(Math.floor(Date.now() / 1000) * 1000);
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
  const config = {
    type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", created: iso(created),
    expires: iso(new Date(created.getTime() + 120000)), verificationMethod: did + "#" + multikey,
    proofPurpose: "authentication", domain: audience, challenge: crypto.randomBytes(16).toString("base64url"),
  };
  const hashData = Buffer.concat([sha256(jcs(config)), sha256(jcs(secured))]);
  const proofValue = "z" + base58(crypto.sign(null, hashData, privateKey));
  meta["dev.aip/proof"] = { ...config, proofValue };
  return request;
}

// Wraps a transport so every outgoing request is signed (mutate lets a test tamper after).
function signing(transport, audience, mutate = (m) => m) {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (message.method && message.id !== undefined) message = mutate(sign(structuredClone(message), audience));
    return send(message, options);
  };
  return transport;
}

async function connect(transport) {
  const client = new Client({ name: "signing-shim", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

try {
  const good = await connect(signing(new StreamableHTTPClientTransport(new URL(url)), url));
  const r = await good.callTool({ name: "list_tasks", arguments: { project: "project-a" } });
  check("signed call accepted", r.structuredContent?.tasks?.length >= 3, JSON.stringify(r));
  check("result signed by the server", typeof r._meta?.["dev.aip/proof"]?.proofValue === "string", JSON.stringify(r._meta));
  const tools = await good.listTools();
  check("signed tools/list accepted", tools.tools.length === 3);
  await good.close();

  const plain = await connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    await plain.listTools();
    check("unsigned request refused", false);
  } catch (e) {
    check("unsigned request refused", /401|Unauthenticated|-31001/.test(String(e)), String(e));
  }
  await plain.close().catch(() => {});

  const tamper = (m) => { if (m.method === "tools/call") m.params.arguments.project = "project-b"; return m; };
  const bad = await connect(signing(new StreamableHTTPClientTransport(new URL(url)), url, tamper));
  try {
    await bad.callTool({ name: "list_tasks", arguments: { project: "project-a" } });
    check("tampered arguments refused", false);
  } catch (e) {
    check("tampered arguments refused", /401|bad_signature|-31001/.test(String(e)), String(e));
  }
  await bad.close().catch(() => {});

  const elsewhere = await connect(signing(new StreamableHTTPClientTransport(new URL(url)), "https://another-server.example/mcp"));
  try {
    await elsewhere.listTools();
    check("proof for another audience refused", false);
  } catch (e) {
    check("proof for another audience refused", /401|wrong_audience|-31001/.test(String(e)), String(e));
  }
  await elsewhere.close().catch(() => {});
} catch (e) {
  failed++;
  console.log(`FAIL: unexpected error ${e?.stack ?? e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
