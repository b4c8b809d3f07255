// @aip/mcp: aip's signed MCP calls for the official MCP TypeScript SDK (docs/protocol.md).
export { Identity, loadIdentity, didKeyFromPublicKey, publicKeyFromDidKey } from "./keys.js";
export { canonicalize } from "./jcs.js";
export { parseStrict, StrictJsonError } from "./strict-json.js";
export {
  PROOF_KEY, ProofError, ReplayCache, UNAUTHENTICATED_CODE, digestOfRequest, securedDocument, signRequest, signResult,
  verifyRequest, verifyResult,
} from "./proof.js";
export { SignedClientTransport, UNVERIFIED_RESULT_CODE } from "./client.js";
export { aipAuth, WWW_AUTHENTICATE } from "./server.js";
