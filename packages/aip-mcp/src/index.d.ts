// Types of @aip/mcp. The transport and middleware are typed structurally, so the package has no
// import of the SDK: any version of @modelcontextprotocol/sdk whose Transport has this shape fits.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRpcMessage = { jsonrpc: "2.0"; [key: string]: unknown };

export class Identity {
  constructor(seed: Uint8Array);
  readonly publicKey: Uint8Array;
  readonly did: string;
  readonly verificationMethod: string;
  sign(data: Uint8Array): Uint8Array;
}
/** Reads AIP_PRIVATE_KEY (AIP_DID checked), else $AIP_HOME/identity.json, as the aip CLI does. */
export function loadIdentity(options?: { env?: Record<string, string | undefined> }): Identity;
export function didKeyFromPublicKey(publicKey: Uint8Array): string;
export function publicKeyFromDidKey(didOrDidUrl: string): Uint8Array;

export function canonicalize(value: unknown): string;
export class StrictJsonError extends Error {}
export function parseStrict(text: string | Uint8Array, options?: { maxBytes?: number }): unknown;

export const PROOF_KEY: "dev.aip/proof";
export const UNAUTHENTICATED_CODE: -31001;
export const UNVERIFIED_RESULT_CODE: -31004;
export const WWW_AUTHENTICATE: string;

/** The stable refusal codes of docs/protocol.md. */
export type ProofReason =
  | "missing_proof" | "malformed_proof" | "unsupported_proof" | "unsupported_key_type" | "unresolvable_did"
  | "key_not_authorized" | "bad_signature" | "wrong_audience" | "expired" | "not_yet_valid" | "lifetime_too_long"
  | "replayed_nonce" | "replay_cache_full" | "unsigned_result" | "bad_result_signature";
export class ProofError extends Error {
  readonly reason: ProofReason;
}

export class ReplayCache {
  constructor(options?: { maxEntries?: number });
  spend(key: string, expiresAtMs: number, nowMs?: number): "ok" | "replayed" | "full";
}

export function securedDocument(request: JsonRpcMessage): Record<string, unknown>;
export function signRequest<T extends JsonRpcMessage>(
  request: T, identity: Identity,
  options: { audience: string; lifetimeSeconds?: number; now?: number; challenge?: string }): T;
export function verifyRequest(
  request: JsonRpcMessage,
  options: { audiences: string[]; replayCache?: ReplayCache; maxSkewSeconds?: number; now?: number },
): { did: string; verificationMethod: string };
export function digestOfRequest(request: JsonRpcMessage): string;
export function signResult<T extends Record<string, unknown>>(request: JsonRpcMessage, result: T, identity: Identity,
                                                             options?: { now?: number }): T;
export function verifyResult(request: JsonRpcMessage, result: Record<string, unknown>, options?: { expectedDid?: string }): string;

/** The shape of the SDK's Transport that SignedClientTransport wraps and implements. */
export interface TransportLike {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JsonRpcMessage, extra?: unknown) => void;
  sessionId?: string;
  setProtocolVersion?: (version: string) => void;
}

export class SignedClientTransport implements TransportLike {
  constructor(inner: TransportLike, options: {
    audience: string; identity?: Identity; requireSignedResult?: boolean; serverDid?: string; lifetimeSeconds?: number;
  });
  readonly did: string;
  readonly sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JsonRpcMessage, extra?: unknown) => void;
  setProtocolVersion(version: string): void;
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
}

/** What aipAuth sets on an accepted request: the SDK passes it to handlers as extra.authInfo. */
export interface AipAuthInfo {
  token: "";
  clientId: string;
  scopes: string[];
  extra: { did: string; verificationMethod: string };
}
export function aipAuth(options: {
  audiences: string[]; replayCache?: ReplayCache; maxSkewSeconds?: number; maxBodyBytes?: number; required?: boolean;
}): (req: any, res: any, next: (error?: unknown) => void) => Promise<void>;
