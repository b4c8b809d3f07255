// DPoP (RFC 9449): proof that the caller holds the key an access token is bound to. A proof is
// a JWT in the "DPoP" header, signed by the key it carries (typ "dpop+jwt", an asymmetric
// algorithm, a public "jwk"), naming this request's method ("htm") and URI ("htu", compared
// without query or fragment), issued now ("iat" within the window), never seen before ("jti",
// remembered for the window), and hashing the token it travels with ("ath"). Its key's RFC 7638
// thumbprint must equal the token's "cnf.jkt". A server may also require its own nonce (§9).
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "aip/base/clock.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/jose/jws.h"
#include "aip/authn/replay_cache.h"

namespace aip::oauth {

// DpopNonces hands out the server nonces of RFC 9449 §9, which bound how long a proof made in
// advance stays usable. They are stateless: a nonce is a time window's number with an HMAC of it
// under a key made at start-up — or derived from a secret every instance behind one load
// balancer is given, so any of them accepts the others' nonces — valid in its window and the next
// (one to two lifetimes).
class DpopNonces {
 public:
  explicit DpopNonces(std::chrono::seconds lifetime = std::chrono::seconds(300), const Clock* clock = &DefaultClock());
  // From a shared secret (at least 32 bytes; kInvalidArgument otherwise). The key is derived
  // under its own label, so the secret is never itself an HMAC key for anything else.
  static Result<std::shared_ptr<const DpopNonces>> Shared(ByteSpan secret, std::chrono::seconds lifetime = std::chrono::seconds(300),
                                                          const Clock* clock = &DefaultClock());
  std::string Current() const;
  bool Valid(std::string_view nonce) const;

 private:
  DpopNonces(crypto::SecretBytes key, std::chrono::seconds lifetime, const Clock* clock)
      : key_(std::move(key)), lifetime_(std::max(lifetime, std::chrono::seconds(1))), clock_(clock) {}
  std::string ForWindow(std::int64_t window) const;
  std::int64_t WindowNow() const;
  crypto::SecretBytes key_;
  std::chrono::seconds lifetime_;
  const Clock* clock_;
};

struct DpopOptions {
  std::set<jose::Algorithm> algorithms{jose::Algorithm::kES256, jose::Algorithm::kEdDSA, jose::Algorithm::kRS256, jose::Algorithm::kPS256};
  std::chrono::seconds window{300};  // How far "iat" may be from now, either way.
  std::shared_ptr<authn::ReplayCache> replay;
  // Set: each proof must carry a current server nonce ("nonce"); a missing or stale one is
  // kFailedPrecondition, so the caller can answer use_dpop_nonce with a fresh one.
  std::shared_ptr<const DpopNonces> nonces;
  const Clock* clock = &DefaultClock();
};

// VerifyDpopProof checks `proof` for a request and the access token it accompanies, and returns
// the thumbprint of the proof's key.
Result<std::string> VerifyDpopProof(std::string_view proof, std::string_view method, std::string_view target_uri,
                                    std::string_view access_token, const DpopOptions& options);

// SameHttpUri compares two URIs as RFC 9449 asks: scheme and host case-insensitively, default
// ports implied, path exactly, query and fragment ignored.
bool SameHttpUri(std::string_view a, std::string_view b);

}  // namespace aip::oauth
