// Signed MCP requests (docs/protocol.md): a W3C Data Integrity proof (eddsa-jcs-2022,
// proofPurpose "authentication") in params._meta["dev.aip/proof"], whose `domain` is the
// audience, `challenge` a fresh nonce, and `created`/`expires` at most five minutes apart.
// The secured document is the JSON-RPC request without its `id` and without the proof, so an
// intermediary that rewrites ids does not break it, while the method, the tool name, every
// argument and every other _meta member are covered.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aip/authn/credentials.h"
#include "aip/authn/principal.h"
#include "aip/authn/replay_cache.h"
#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"

namespace aip::mcpsig {

// The _meta key of the proof (vendor prefix "dev.aip", per MCP's _meta naming rules).
inline constexpr std::string_view kProofKey = authn::kProofMetaKey;
inline constexpr std::chrono::seconds kMaxProofLifetime{300};

// SecuredRequestDocument returns what a request proof signs: {jsonrpc, method, params} with
// params._meta's proof removed. kInvalidArgument if the request has other top-level members.
Result<json::Object> SecuredRequestDocument(const json::Object& request);

struct SignOptions {
  std::string audience;  // Canonical MCP endpoint URI, or the server's DID.
  std::chrono::seconds lifetime{120};
  const Clock* clock = &DefaultClock();
};

// SignRequest adds the proof to `request` (which must have jsonrpc, method and, optionally,
// params; params._meta is created when absent).
Status SignRequest(json::Object& request, const identity::Identity& signer, const SignOptions& options);

// Why a signed request was refused; `reason` is stable for clients and metrics.
struct ProofError {
  std::string reason;
  std::string message;
};

struct VerifyOptions {
  std::vector<std::string> audiences;  // Accepted `domain` values.
  std::shared_ptr<const identity::DidResolver> resolver;
  std::shared_ptr<authn::ReplayCache> replay_cache;
  std::chrono::seconds max_skew{60};
  const Clock* clock = &DefaultClock();
};

// VerifyRequest returns the authenticated principal, or the error: missing_proof,
// malformed_proof, unsupported_proof, unsupported_key_type, unresolvable_did, key_not_authorized,
// bad_signature, wrong_audience, expired, not_yet_valid, lifetime_too_long, replayed_nonce,
// replay_cache_full.
std::variant<authn::Principal, ProofError> VerifyRequest(const json::Object& request, const VerifyOptions& options);

// DigestOfRequest is "sha-256=<base64url>" of JCS(SecuredRequestDocument): what a signed result
// names as the request it answers.
Result<std::string> DigestOfRequest(const json::Object& request);

}  // namespace aip::mcpsig
