// W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite (VC Data Integrity EdDSA
// Cryptosuites v1.0 §3.3): the format aip uses to sign JSON documents (vouches, signed MCP
// requests). The proof signs SHA-256(JCS(proof config)) || SHA-256(JCS(document without proof)).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"
#include "aip/identity/did_document.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"

namespace aip::identity {

inline constexpr std::string_view kCryptosuite = "eddsa-jcs-2022";

struct ProofOptions {
  std::string verification_method;  // DID URL of the signing key.
  Purpose purpose = Purpose::kAssertionMethod;
  TimePoint created;
  std::optional<TimePoint> expires;
  std::optional<std::string> domain;     // Audience.
  std::optional<std::string> challenge;  // Nonce.
};

// ProofHashInput exposes the intermediate values of §3.3.4–3.3.5 (for tests and debugging).
struct ProofHashInput {
  std::string canonical_proof_config;
  std::string canonical_document;
  Bytes hash_data;  // proofConfigHash || documentHash, 64 bytes.
};
Result<ProofHashInput> ComputeHashInput(const json::Object& unsecured, const json::Object& proof_config);

// CreateProof returns the proof object (with proofValue) for `unsecured`, which must not
// already contain "proof".
Result<json::Object> CreateProof(const json::Object& unsecured, const Identity& signer, const ProofOptions& options);
// AddProof returns `unsecured` with a "proof" member.
Result<json::Object> AddProof(json::Object unsecured, const Identity& signer, const ProofOptions& options);

struct ProofExpectations {
  Purpose purpose = Purpose::kAssertionMethod;
  std::optional<std::string> domain;     // When set, the proof's domain must equal it.
  std::optional<std::string> challenge;  // When set, the proof's challenge must equal it.
  const Clock* clock = &DefaultClock();
  std::chrono::seconds max_skew{300};  // Tolerance for `created` in the future and `expires`.
  bool check_time = true;
};

struct VerifiedProof {
  VerificationMethod method;  // Key and controller DID that signed.
  std::optional<TimePoint> created;
  std::optional<TimePoint> expires;
  std::optional<std::string> domain;
  std::optional<std::string> challenge;
};

// VerifyProof checks the single proof of `secured` (resolving its key with `resolver`). Errors:
// kInvalidArgument for a malformed proof, kUnauthenticated for a bad signature, wrong domain or
// challenge, or a proof outside its time window, kPermissionDenied when the key is not
// authorized for the purpose, kNotFound when the DID does not resolve.
Result<VerifiedProof> VerifyProof(const json::Object& secured, const DidResolver& resolver, const ProofExpectations& expect);

// VerifyDetachedProof checks `proof` over `unsecured` when the proof travels outside the
// document (a signed MCP request carries it in params._meta). Same errors as VerifyProof.
Result<VerifiedProof> VerifyDetachedProof(const json::Object& unsecured, const json::Object& proof, const DidResolver& resolver,
                                          const ProofExpectations& expect);

}  // namespace aip::identity
