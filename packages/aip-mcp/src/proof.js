// Signed MCP requests and results, exactly as docs/protocol.md specifies them (W3C Data Integrity,
// eddsa-jcs-2022, in params._meta["dev.aip/proof"]). Refusals carry the same stable reasons as
// aip's C++ verifier, so clients and logs read the same whichever side is which.
import { createHash, randomBytes } from "node:crypto";
import { base58Decode, base58Encode } from "./base58.js";
import { canonicalize } from "./jcs.js";
import { publicKeyFromDidKey, verifyEd25519 } from "./keys.js";

export const PROOF_KEY = "dev.aip/proof";
export const MAX_PROOF_LIFETIME_SECONDS = 300;
export const UNAUTHENTICATED_CODE = -31001;

export class ProofError extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest();
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function isoSeconds(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// securedDocument is what a request proof covers: the request without its id and without the
// proof itself, so an intermediary may renumber requests.
export function securedDocument(request) {
  const doc = {};
  for (const [k, v] of Object.entries(request)) {
    if (k === "id") continue;
    if (k !== "jsonrpc" && k !== "method" && k !== "params") throw new ProofError("malformed_proof", "a signed request may only have jsonrpc, id, method and params");
    if (k === "params" && isObject(v) && isObject(v._meta)) {
      const { _meta, ...rest } = v;
      const { [PROOF_KEY]: _proof, ...kept } = _meta;
      doc.params = { ...rest, _meta: kept };
    } else {
      doc[k] = v;
    }
  }
  return doc;
}

function hashData(proofConfig, document) {
  return Buffer.concat([sha256(canonicalize(proofConfig)), sha256(canonicalize(document))]);
}

// signRequest returns a copy of `request` carrying a fresh proof for `audience` (the endpoint's
// canonical URL, or the server's DID).
// `challenge` is for test vectors only; leave it to the default fresh nonce.
export function signRequest(request, identity, { audience, lifetimeSeconds = 120, now = Date.now(),
                                                 challenge = randomBytes(16).toString("base64url") } = {}) {
  if (!audience) throw new Error("a signed request needs an audience");
  if (!(lifetimeSeconds > 0 && lifetimeSeconds <= MAX_PROOF_LIFETIME_SECONDS)) throw new Error("proof lifetime must be 1..300 s");
  const signed = structuredClone(request);
  if (!isObject(signed.params)) signed.params = {};
  if (!isObject(signed.params._meta)) signed.params._meta = {};
  delete signed.params._meta[PROOF_KEY];
  const created = Math.floor(now / 1000) * 1000;
  const config = {
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    created: isoSeconds(created),
    verificationMethod: identity.verificationMethod,
    proofPurpose: "authentication",
    expires: isoSeconds(created + lifetimeSeconds * 1000),
    domain: audience,
    challenge,
  };
  const proofValue = "z" + base58Encode(identity.sign(hashData(config, securedDocument(signed))));
  signed.params._meta[PROOF_KEY] = { ...config, proofValue };
  return signed;
}

// ReplayCache remembers (key, nonce) pairs until they expire; bounded, and full means refuse.
export class ReplayCache {
  #seen = new Map();
  constructor({ maxEntries = 100000 } = {}) {
    this.maxEntries = maxEntries;
  }
  // spend returns "ok", "replayed" or "full".
  spend(key, expiresAtMs, nowMs = Date.now()) {
    const known = this.#seen.get(key);
    if (known !== undefined && known > nowMs) return "replayed";
    if (this.#seen.size >= this.maxEntries) {
      for (const [k, exp] of this.#seen) if (exp <= nowMs) this.#seen.delete(k);
      if (this.#seen.size >= this.maxEntries) return "full";
    }
    this.#seen.set(key, expiresAtMs);
    return "ok";
  }
}

// verifyRequest checks a request's proof in the order of docs/protocol.md and returns
// { did, verificationMethod }, or throws a ProofError whose `reason` is the stable code.
export function verifyRequest(request, { audiences, replayCache, maxSkewSeconds = 60, now = Date.now() }) {
  const proof = isObject(request?.params) && isObject(request.params._meta) ? request.params._meta[PROOF_KEY] : undefined;
  if (proof === undefined) throw new ProofError("missing_proof", "the request carries no proof");
  const fields = ["type", "cryptosuite", "proofPurpose", "created", "expires", "domain", "challenge", "verificationMethod", "proofValue"];
  if (!isObject(proof) || fields.some((f) => typeof proof[f] !== "string")) throw new ProofError("malformed_proof", "the proof lacks a member");
  const doc = securedDocument(request);  // Throws malformed_proof for extra top-level members.
  if (proof.type !== "DataIntegrityProof" || proof.cryptosuite !== "eddsa-jcs-2022") {
    throw new ProofError("unsupported_proof", "only DataIntegrityProof with eddsa-jcs-2022 is accepted");
  }
  const created = TIME.test(proof.created) ? Date.parse(proof.created) : NaN;
  const expires = TIME.test(proof.expires) ? Date.parse(proof.expires) : NaN;
  if (proof.proofPurpose !== "authentication" || !(created < expires) || proof.challenge.length < 16 || proof.challenge.length > 128) {
    throw new ProofError("malformed_proof", "bad purpose, time window or challenge");
  }
  if (expires - created > MAX_PROOF_LIFETIME_SECONDS * 1000) throw new ProofError("lifetime_too_long", "the proof lives longer than 5 minutes");
  let publicKey;
  try {
    publicKey = publicKeyFromDidKey(proof.verificationMethod);
  } catch (e) {
    throw new ProofError(e.message === "key_not_authorized" ? "key_not_authorized" : "unsupported_key_type", "the key is not an Ed25519 did:key");
  }
  if (!audiences.includes(proof.domain)) throw new ProofError("wrong_audience", `the proof is for ${proof.domain}`);
  const skew = maxSkewSeconds * 1000;
  if (created > now + skew) throw new ProofError("not_yet_valid", "the proof was created in the future");
  if (expires + skew < now) throw new ProofError("expired", "the proof has expired");
  const { proofValue, ...config } = proof;
  let signature;
  try {
    if (!proofValue.startsWith("z")) throw new Error();
    signature = base58Decode(proofValue.slice(1));
  } catch {
    throw new ProofError("malformed_proof", "proofValue is not multibase base58btc");
  }
  if (!verifyEd25519(publicKey, hashData(config, doc), signature)) throw new ProofError("bad_signature", "the signature does not verify");
  // Only a verified request may spend its nonce, so a forged copy cannot burn the real one.
  if (replayCache) {
    const spent = replayCache.spend(proof.verificationMethod + " " + proof.challenge, expires + skew, now);
    if (spent === "replayed") throw new ProofError("replayed_nonce", "this proof was used before");
    if (spent === "full") throw new ProofError("replay_cache_full", "too many requests in flight to remember");
  }
  return { did: proof.verificationMethod.split("#")[0], verificationMethod: proof.verificationMethod };
}

// digestOfRequest names the request a signed result answers.
export function digestOfRequest(request) {
  return "sha-256=" + sha256(canonicalize(securedDocument(request))).toString("base64url");
}

function unsecuredResult(result) {
  const copy = { ...result };
  if (isObject(copy._meta)) {
    const { [PROOF_KEY]: _proof, ...rest } = copy._meta;
    if (Object.keys(rest).length === 0) delete copy._meta;
    else copy._meta = rest;
  }
  return copy;
}

// signResult returns `result` signed by `identity`, bound to the request it answers.
export function signResult(request, result, identity, { now = Date.now() } = {}) {
  const config = {
    type: "DataIntegrityProof",
    cryptosuite: "eddsa-jcs-2022",
    created: isoSeconds(now),
    verificationMethod: identity.verificationMethod,
    proofPurpose: "assertionMethod",
    challenge: digestOfRequest(request),
  };
  const proofValue = "z" + base58Encode(identity.sign(hashData(config, unsecuredResult(result))));
  return { ...result, _meta: { ...(isObject(result._meta) ? result._meta : {}), [PROOF_KEY]: { ...config, proofValue } } };
}

// verifyResult checks a result's proof against the request that was sent; with `expectedDid`
// the signer must be that DID. Returns the signer's DID or throws.
export function verifyResult(request, result, { expectedDid } = {}) {
  const proof = isObject(result?._meta) ? result._meta[PROOF_KEY] : undefined;
  if (!isObject(proof)) throw new ProofError("unsigned_result", "the server did not sign its result");
  const { proofValue, ...config } = proof;
  if (config.type !== "DataIntegrityProof" || config.cryptosuite !== "eddsa-jcs-2022" || config.proofPurpose !== "assertionMethod" ||
      typeof proofValue !== "string" || !proofValue.startsWith("z") || typeof config.verificationMethod !== "string") {
    throw new ProofError("bad_result_signature", "the result's proof is malformed");
  }
  if (config.challenge !== digestOfRequest(request)) throw new ProofError("bad_result_signature", "the result answers another request");
  let publicKey, signature;
  try {
    publicKey = publicKeyFromDidKey(config.verificationMethod);
    signature = base58Decode(proofValue.slice(1));
  } catch {
    throw new ProofError("bad_result_signature", "the result's key or signature cannot be read");
  }
  if (!verifyEd25519(publicKey, hashData(config, unsecuredResult(result)), signature)) {
    throw new ProofError("bad_result_signature", "the result's signature does not verify");
  }
  const signer = config.verificationMethod.split("#")[0];
  if (expectedDid && signer !== expectedDid) throw new ProofError("bad_result_signature", `the result was signed by ${signer}, not ${expectedDid}`);
  return signer;
}
