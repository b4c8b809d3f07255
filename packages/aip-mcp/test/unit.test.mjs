// The package against the same vectors as the C++ library: RFC 8785, W3C did:key, and the worked
// example of docs/protocol.md byte for byte; every refusal reason the C++ verifier gives.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  Identity, ReplayCache, canonicalize, didKeyFromPublicKey, parseStrict, securedDocument, signRequest, signResult,
  verifyRequest, verifyResult,
} from "@aip/mcp";

const root = process.env.AIP_SOURCE_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const shared = process.env.AIP_SHARED_TESTDATA ?? join(root, "..", "shared", "testdata");

test("RFC 8785 vectors", () => {
  const dir = join(shared, "jcs");
  const files = readdirSync(join(dir, "input"));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const input = JSON.parse(readFileSync(join(dir, "input", f), "utf8"));
    assert.equal(canonicalize(input), readFileSync(join(dir, "output", f), "utf8"), f);
  }
  console.log(`[vectors] jcs (TypeScript package): ${files.length}`);
});

test("W3C did:key vectors", () => {
  const vectors = JSON.parse(readFileSync(join(shared, "did-key", "ed25519-x25519.json"), "utf8"));
  let n = 0;
  for (const [did, v] of Object.entries(vectors)) {
    assert.equal(new Identity(Buffer.from(v.seed, "hex")).did, did);
    n++;
  }
  console.log(`[vectors] did-key (TypeScript package): ${n}`);
});

// The worked example's blocks, read from the specification itself.
function example(name) {
  const doc = readFileSync(join(root, "docs", "protocol.md"), "utf8");
  const m = new RegExp(`<!-- example:${name} -->\\n\`\`\`\\w+\\n([^\\n]*)\\n\`\`\``).exec(doc);
  assert.ok(m, `example ${name} in docs/protocol.md`);
  return m[1];
}

const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
const agent = new Identity(seed);
const created = Date.parse("2026-11-22T10:00:00Z");
const audience = "https://tasks.example.com/mcp";

test("the worked example of docs/protocol.md, byte for byte", () => {
  assert.equal(agent.did, example("did"));
  const request = JSON.parse(example("request"));
  assert.equal(canonicalize(securedDocument(request)), example("secured-document"));
  const signed = signRequest(request, agent, { audience, lifetimeSeconds: 120, now: created, challenge: "3q2-7wAAAAAAAAAAAAAAAA" });
  const { proofValue, ...config } = signed.params._meta["dev.aip/proof"];
  assert.equal(canonicalize(config), example("proof-config"));
  assert.equal(proofValue, example("proof-value"));
  assert.equal(JSON.stringify(signed), example("signed-request"));
  // Accepted once at 10:00:30, then a replay.
  const cache = new ReplayCache();
  const parsed = parseStrict(example("signed-request"));
  assert.equal(verifyRequest(parsed, { audiences: [audience], replayCache: cache, now: created + 30000 }).did, agent.did);
  assert.throws(() => verifyRequest(parsed, { audiences: [audience], replayCache: cache, now: created + 30000 }), { reason: "replayed_nonce" });
});

function fresh(params = { name: "list_tasks", arguments: { project: "project-a" } }) {
  return signRequest({ jsonrpc: "2.0", id: 1, method: "tools/call", params }, agent, { audience });
}
function reasonOf(request, options = {}) {
  try {
    verifyRequest(request, { audiences: [audience], replayCache: new ReplayCache(), ...options });
    return "accepted";
  } catch (e) {
    return e.reason;
  }
}

test("refusals carry the C++ verifier's reasons", () => {
  assert.equal(reasonOf(fresh()), "accepted");
  assert.equal(reasonOf({ jsonrpc: "2.0", id: 1, method: "tools/call", params: {} }), "missing_proof");
  const tampered = fresh();
  tampered.params.arguments.project = "project-b";
  assert.equal(reasonOf(tampered), "bad_signature");
  const renamed = fresh();
  renamed.params.name = "delete_tasks";
  assert.equal(reasonOf(renamed), "bad_signature");
  const renumbered = fresh();
  renumbered.id = 99;  // The id is not covered: an intermediary may renumber.
  assert.equal(reasonOf(renumbered), "accepted");
  assert.equal(reasonOf(fresh(), { audiences: ["https://other.example.com/mcp"] }), "wrong_audience");
  assert.equal(reasonOf(fresh(), { now: Date.now() + 10 * 60 * 1000 }), "expired");
  assert.equal(reasonOf(fresh(), { now: Date.now() - 10 * 60 * 1000 }), "not_yet_valid");
  const long = fresh();
  long.params._meta["dev.aip/proof"].expires = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z/, "Z");
  assert.equal(reasonOf(long), "lifetime_too_long");
  const suite = fresh();
  suite.params._meta["dev.aip/proof"].cryptosuite = "ecdsa-jcs-2019";
  assert.equal(reasonOf(suite), "unsupported_proof");
  const stranger = fresh();
  stranger.params._meta["dev.aip/proof"].verificationMethod = "did:web:example.com#key-1";
  assert.equal(reasonOf(stranger), "unsupported_key_type");
  const extra = fresh();
  extra.smuggled = true;
  assert.equal(reasonOf(extra), "malformed_proof");
  const full = new ReplayCache({ maxEntries: 1 });
  verifyRequest(fresh(), { audiences: [audience], replayCache: full });
  assert.throws(() => verifyRequest(fresh(), { audiences: [audience], replayCache: full }), { reason: "replay_cache_full" });
});

test("a forged copy cannot burn the real request's nonce", () => {
  const real = fresh();
  const forged = structuredClone(real);
  forged.params.arguments.project = "project-b";
  const cache = new ReplayCache();
  assert.throws(() => verifyRequest(forged, { audiences: [audience], replayCache: cache }), { reason: "bad_signature" });
  assert.equal(verifyRequest(real, { audiences: [audience], replayCache: cache }).did, agent.did);
});

test("strict parsing refuses what JSON.parse lets through", () => {
  assert.throws(() => parseStrict('{"a":1,"a":2}'), /duplicate/);
  assert.throws(() => parseStrict('{"a":"\\ud800"}'), /surrogate/);
  assert.throws(() => parseStrict(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /UTF-8/);
  assert.throws(() => parseStrict("[".repeat(70) + "]".repeat(70)), /deeply/);
  assert.throws(() => parseStrict('{"a":1} x'), /trailing/);
  assert.deepEqual(parseStrict('{"__proto__":{"x":1}}').__proto__, { x: 1 });
});

test("signed results are bound to their request", () => {
  const server = new Identity(Uint8Array.from({ length: 32 }, (_, i) => 32 + i));
  const request = fresh();
  const result = signResult(request, { content: [{ type: "text", text: "ok" }] }, server);
  assert.equal(verifyResult(request, result, { expectedDid: server.did }), server.did);
  assert.throws(() => verifyResult(fresh({ name: "list_tasks", arguments: { project: "project-b" } }), result),
                { reason: "bad_result_signature" });
  assert.throws(() => verifyResult(request, result, { expectedDid: agent.did }), { reason: "bad_result_signature" });
  assert.throws(() => verifyResult(request, { content: [] }), { reason: "unsigned_result" });
  assert.equal(didKeyFromPublicKey(server.publicKey), server.did);
});
