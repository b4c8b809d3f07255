// AuthFailure: how an authenticator refuses a credential — a stable reason code and a log-safe
// message (never the credential itself).
#pragma once

#include <string>

#include "aip/base/json.h"

namespace aip::authn {

// Transports answer an AuthFailure with HTTP 401 and JSON-RPC error kUnauthenticatedCode.
struct AuthFailure {
  AuthFailure(std::string why, std::string text, std::string nonce = "")
      : reason(std::move(why)), message(std::move(text)), dpop_nonce(std::move(nonce)) {}
  std::string reason;  // e.g. "replayed_nonce", "wrong_audience".
  std::string message;
  // A fresh DPoP nonce the client must put in its next proof (RFC 9449 §9; reason
  // "use_dpop_nonce"): sent as the DPoP-Nonce header of the 401.
  std::string dpop_nonce;
};

// IsStoreUnavailable says the credential could not be checked because a store this server
// depends on (a shared replay cache, the API-key store) is unreachable or full: not the caller's fault, so
// transports answer 503 with Retry-After rather than 401 — and still refuse (fail closed).
inline bool IsStoreUnavailable(const AuthFailure& failure) {
  return failure.reason == "replay_store_unavailable" || failure.reason == "replay_cache_full" ||
         failure.reason == "apikey_store_unavailable";
}

// AuthFailureData is the JSON-RPC error data of a refused credential: {"reason", "dpopNonce"?}.
json::Object AuthFailureData(const AuthFailure& failure);

}  // namespace aip::authn
