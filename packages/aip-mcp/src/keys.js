// Ed25519 identities with Node's own crypto, read from the same places as the aip CLI: the
// AIP_PRIVATE_KEY variable (the 32-byte seed as base64, base64url or hex; AIP_DID, if set, must
// match), else $AIP_HOME/identity.json (default ~/.aip). One identity serves both.
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { base58Decode, base58Encode } from "./base58.js";

const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const MULTICODEC_ED25519 = [0xed, 0x01];

export function didKeyFromPublicKey(publicKey) {
  return "did:key:z" + base58Encode(Uint8Array.from([...MULTICODEC_ED25519, ...publicKey]));
}

// publicKeyFromDidKey returns the 32-byte key of an Ed25519 did:key (or its DID URL), or throws.
export function publicKeyFromDidKey(didOrUrl) {
  const did = didOrUrl.split("#")[0];
  if (!did.startsWith("did:key:z")) throw new Error("unsupported_key_type");
  let bytes;
  try {
    bytes = base58Decode(did.slice("did:key:z".length));
  } catch {
    throw new Error("unsupported_key_type");
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) throw new Error("unsupported_key_type");
  const fragment = didOrUrl.includes("#") ? didOrUrl.slice(didOrUrl.indexOf("#") + 1) : null;
  if (fragment !== null && fragment !== did.slice("did:key:".length)) throw new Error("key_not_authorized");
  return bytes.slice(2);
}

export function verifyEd25519(publicKey, data, signature) {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(publicKey)]), format: "der", type: "spki" });
  return signature.length === 64 && nodeVerify(null, data, key, signature);
}

// Identity is an Ed25519 signer with its did:key. The private key never leaves the object.
export class Identity {
  #key;
  constructor(seed) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error("an Ed25519 seed is 32 bytes");
    this.#key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(seed)]), format: "der", type: "pkcs8" });
    const spki = createPublicKey(this.#key).export({ format: "der", type: "spki" });
    this.publicKey = Uint8Array.from(spki.subarray(spki.length - 32));
    this.did = didKeyFromPublicKey(this.publicKey);
    this.verificationMethod = this.did + "#" + this.did.slice("did:key:".length);
  }
  sign(data) {
    return new Uint8Array(nodeSign(null, data, this.#key));
  }
}

function decodeSeed(text) {
  const t = text.trim();
  let bytes = null;
  if (/^[0-9a-fA-F]+$/.test(t) && (t.length === 64 || t.length === 128)) bytes = Buffer.from(t, "hex");
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) bytes = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (!bytes) throw new Error("the private key is not base64, base64url or hex");
  // Python AIP keeps seed || public key: the seed is the first half.
  if (bytes.length === 64) bytes = bytes.subarray(0, 32);
  if (bytes.length !== 32) throw new Error("the private key must be a 32-byte Ed25519 seed");
  return Uint8Array.from(bytes);
}

// loadIdentity finds the local identity as the aip CLI does. Encrypted identity files need the
// CLI (Argon2id and XChaCha20 are not in Node's crypto): use AIP_PRIVATE_KEY for those.
export function loadIdentity({ env = process.env } = {}) {
  if (env.AIP_PRIVATE_KEY) {
    const id = new Identity(decodeSeed(env.AIP_PRIVATE_KEY));
    if (env.AIP_DID && env.AIP_DID !== id.did) throw new Error(`AIP_DID ${env.AIP_DID} does not match the key (${id.did})`);
    return id;
  }
  const home = env.AIP_HOME || join(homedir(), ".aip");
  const path = join(home, "identity.json");
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new Error(`${path} is readable by others (mode ${mode.toString(8)}); run chmod 600`);
  const file = JSON.parse(readFileSync(path, "utf8"));
  const pk = file.private_key;
  if (!pk) throw new Error(`${path} holds no private key`);
  if (pk.encryption) {
    throw new Error(`${path} is encrypted: this package cannot open it; export the seed to AIP_PRIVATE_KEY instead`);
  }
  const id = new Identity(decodeSeed(typeof pk === "string" ? pk : pk.seed));
  if (file.did && file.did.startsWith("did:key:") && file.did !== id.did) {
    throw new Error(`${path}: the DID ${file.did} does not match its key`);
  }
  return id;
}
