// SignedClientTransport wraps any MCP SDK client transport (StreamableHTTPClientTransport,
// StdioClientTransport, ...): every JSON-RPC request leaves with a fresh proof made by the agent's
// identity, and results are checked when they are signed — required to be with
// `requireSignedResult` or `serverDid`, in which case a refused result reaches the client as a
// JSON-RPC error with `data.reason`, never silently.
import { loadIdentity } from "./keys.js";
import { ProofError, signRequest, verifyResult } from "./proof.js";

export const UNVERIFIED_RESULT_CODE = -31004;

const isRequest = (m) => m && typeof m === "object" && typeof m.method === "string" && m.id !== undefined && m.id !== null;
const isResponse = (m) => m && typeof m === "object" && m.method === undefined && m.id !== undefined && ("result" in m || "error" in m);

export class SignedClientTransport {
  #inner;
  #identity;
  #audience;
  #requireSigned;
  #serverDid;
  #lifetime;
  #sent = new Map();  // Request id → the request as signed, until its answer comes.
  #onmessage;

  constructor(inner, { audience, identity, requireSignedResult = false, serverDid, lifetimeSeconds = 120 } = {}) {
    if (!inner) throw new Error("SignedClientTransport wraps a transport");
    if (!audience) throw new Error("audience is required: the server's URL (as you connect to it) or its DID");
    this.#inner = inner;
    this.#identity = identity ?? loadIdentity();
    this.#audience = String(audience);
    this.#requireSigned = requireSignedResult || Boolean(serverDid);
    this.#serverDid = serverDid;
    this.#lifetime = lifetimeSeconds;
    inner.onmessage = (message, extra) => this.#onmessage?.(this.#checked(message), extra);
  }

  get did() { return this.#identity.did; }
  get sessionId() { return this.#inner.sessionId; }
  set onclose(fn) { this.#inner.onclose = fn; }
  get onclose() { return this.#inner.onclose; }
  set onerror(fn) { this.#inner.onerror = fn; }
  get onerror() { return this.#inner.onerror; }
  set onmessage(fn) { this.#onmessage = fn; }
  get onmessage() { return this.#onmessage; }
  setProtocolVersion(version) { this.#inner.setProtocolVersion?.(version); }

  start() { return this.#inner.start(); }
  close() { return this.#inner.close(); }

  send(message, options) {
    if (!isRequest(message)) return this.#inner.send(message, options);
    const signed = signRequest(message, this.#identity, { audience: this.#audience, lifetimeSeconds: this.#lifetime });
    this.#sent.set(JSON.stringify(message.id), signed);
    if (this.#sent.size > 10000) this.#sent.delete(this.#sent.keys().next().value);  // Answers that never came.
    return this.#inner.send(signed, options);
  }

  #checked(message) {
    if (!isResponse(message)) return message;
    const key = JSON.stringify(message.id);
    const request = this.#sent.get(key);
    this.#sent.delete(key);
    if (!request || !("result" in message)) return message;
    const signed = message.result?._meta?.["dev.aip/proof"] !== undefined;
    if (!signed && !this.#requireSigned) return message;
    try {
      verifyResult(request, message.result, { expectedDid: this.#serverDid });
      return message;
    } catch (e) {
      const reason = e instanceof ProofError ? e.reason : "bad_result_signature";
      return { jsonrpc: "2.0", id: message.id, error: { code: UNVERIFIED_RESULT_CODE, message: e.message, data: { reason } } };
    }
  }
}
