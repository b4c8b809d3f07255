// aipAuth: the verifier for MCP servers on the official SDK, as Express or Node http middleware
// `(req, res, next)`. It reads the body itself and parses it strictly (mount it before any JSON
// body parser), verifies the request's proof — audience, time window, signature, nonce spent
// once in a bounded cache — and refuses exactly as docs/protocol.md says: HTTP 401,
// WWW-Authenticate, JSON-RPC error -31001 with data.reason. An accepted request continues with
// `req.body` parsed and `req.auth` set, which the SDK's StreamableHTTPServerTransport hands to
// handlers as `extra.authInfo` (clientId and extra.did: the caller's DID).
import { ProofError, ReplayCache, UNAUTHENTICATED_CODE, verifyRequest } from "./proof.js";
import { StrictJsonError, parseStrict } from "./strict-json.js";

const HANDSHAKE = new Set(["initialize", "server/discover", "ping"]);
export const WWW_AUTHENTICATE = 'DataIntegrity realm="mcp", cryptosuite="eddsa-jcs-2022"';

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > limit) {
        reject(new StrictJsonError("body larger than the limit"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answer(res, status, id, code, message, data, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: id ?? null, error: { code, message, ...(data ? { data } : {}) } }));
}

export function aipAuth({ audiences, replayCache = new ReplayCache(), maxSkewSeconds = 60, maxBodyBytes = 4 * 1024 * 1024,
                          required = true } = {}) {
  if (!Array.isArray(audiences) || audiences.length === 0) throw new Error("aipAuth needs audiences: the URL clients call, or this server's DID");
  return async (req, res, next) => {
    if (req.method !== "POST") return next();
    if (req.body !== undefined && !Buffer.isBuffer(req.body) && typeof req.body !== "string") {
      return answer(res, 500, null, -32603, "aipAuth must run before any JSON body parser: it parses the body strictly itself");
    }
    let message;
    try {
      const raw = req.body !== undefined ? req.body : await readBody(req, maxBodyBytes);
      message = parseStrict(raw, { maxBytes: maxBodyBytes });
    } catch (e) {
      const tooLarge = /larger than the limit/.test(e.message);
      return answer(res, tooLarge ? 413 : 400, null, -32700, `Parse error: ${e.message}`);
    }
    req.body = message;
    const isRequest = message && typeof message === "object" && !Array.isArray(message) && typeof message.method === "string" &&
                      message.id !== undefined && message.id !== null;
    if (!isRequest || HANDSHAKE.has(message.method)) return next();
    const hasProof = message.params?._meta?.["dev.aip/proof"] !== undefined;
    if (!required && !hasProof) return next();
    try {
      const caller = verifyRequest(message, { audiences, replayCache, maxSkewSeconds });
      req.auth = { token: "", clientId: caller.did, scopes: [], extra: { did: caller.did, verificationMethod: caller.verificationMethod } };
      return next();
    } catch (e) {
      const reason = e instanceof ProofError ? e.reason : "malformed_proof";
      return answer(res, 401, message.id, UNAUTHENTICATED_CODE, `Unauthenticated: ${e.message}`, { reason },
                    { "www-authenticate": WWW_AUTHENTICATE });
    }
  };
}
