// Signed registry requests. Every write (and every inbox read) is an HTTP request signed by the
// caller's did:key under RFC 9421 — covering method, target URI and body digest, with `created`,
// `expires` (≤ 5 minutes) and a fresh `nonce`, tag "aip-registry" — and each (key, nonce) is
// accepted once. The signed target URI names this registry, so a request captured here is
// refused by any other.
#pragma once
#include <memory>
#include <string>

#include "aip/base/clock.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/authn/replay_cache.h"
#include "aip/net/http.h"

namespace aip::registry {

inline constexpr std::string_view kRequestTag = "aip-registry";

// SignRegistryRequest adds Content-Digest, Signature-Input and Signature to `headers`.
Status SignRegistryRequest(const identity::Identity& signer, std::string_view method, std::string_view target_uri, net::Headers& headers,
                           std::string_view body);

class RequestVerifier {
 public:
  // `public_url` is the registry's base URL as its clients reach it ("https://registry.example").
  // It is never taken from the request (a Host header is the sender's to choose): without one,
  // every signed request is refused.
  RequestVerifier(std::string public_url, std::shared_ptr<authn::ReplayCache> replay, const Clock* clock = &DefaultClock())
      : public_url_(std::move(public_url)), replay_(std::move(replay)), clock_(clock) {}
  // Verify returns the did:key that signed `request`; kUnauthenticated otherwise (the message
  // names the reason: missing, expired, replayed, wrong key, digest mismatch).
  Result<std::string> Verify(const net::HttpRequest& request) const;

 private:
  std::string public_url_;
  std::shared_ptr<authn::ReplayCache> replay_;
  const Clock* clock_;
};

}  // namespace aip::registry
