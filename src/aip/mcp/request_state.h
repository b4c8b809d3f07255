// Sealed MRTR requestState (2026-07-28 multi-round-trip requests). The client echoes
// requestState back verbatim, so it is attacker-controlled: we seal it with HMAC-SHA256 under a
// server key, bind it to the request it continues (method, name, digest of the arguments, and
// the caller when known) and give it an expiry. Opening a token that was altered, moved to
// another request, or has expired fails — the spec's MUST for state that influences behaviour.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aip/base/clock.h"
#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::mcp {

class RequestStateSealer {
 public:
  // A random key: tokens are valid for this process only. Several instances behind one load
  // balancer must share `key` (32 bytes).
  RequestStateSealer();
  explicit RequestStateSealer(crypto::SecretBytes key, std::chrono::seconds lifetime = std::chrono::minutes(10));

  // Seal returns "<payload b64url>.<mac b64url>" carrying `state` bound to `binding`.
  std::string Seal(std::string_view binding, std::string_view state, TimePoint now) const;
  // Open returns the state, or kInvalidArgument naming why the token is refused.
  Result<std::string> Open(std::string_view token, std::string_view binding, TimePoint now) const;

 private:
  crypto::SecretBytes key_;
  std::chrono::seconds lifetime_;
};

}  // namespace aip::mcp
