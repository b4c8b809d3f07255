// JwksSource: an authorization server's signing keys, fetched and cached. The key set comes from
// a configured jwks_uri, or from the server's metadata (RFC 8414
// /.well-known/oauth-authorization-server, else OpenID Connect discovery), whose "issuer" must
// equal the configured one exactly. Keys are re-read when older than `max_age`, and when a token
// names a kid the set lacks — at most once per `cooldown` however many such tokens arrive, by
// one thread while the others wait for its answer (so forged kids cannot flood the issuer).
// Only https URLs are fetched, or http to a loopback address (tests, sidecars).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "aip/base/clock.h"
#include "aip/jose/jwk.h"
#include "aip/net/http_client.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {

struct JwksSourceOptions {
  std::string issuer;
  std::string jwks_uri;  // Empty: discovered from the issuer's metadata.
  net::HttpClientOptions http;
  std::chrono::seconds max_age{600};
  std::chrono::seconds cooldown{30};
};

class JwksSource {
 public:
  explicit JwksSource(JwksSourceOptions options);
  // Fixed serves a key set given up front (from a file, or in tests); it never fetches.
  static std::shared_ptr<JwksSource> Fixed(jose::JwkSet keys);

  // Keys returns the cached set, fetching it when there is none or it is older than max_age (a
  // failed re-fetch keeps the old set).
  Result<std::shared_ptr<const jose::JwkSet>> Keys();
  // RefreshForUnknownKid re-fetches unless a fetch happened within the cooldown, and returns the
  // newest set either way.
  Result<std::shared_ptr<const jose::JwkSet>> RefreshForUnknownKid();

  std::uint64_t fetches() const { return fetches_.load(); }
  const std::string& issuer() const { return options_.issuer; }

 private:
  Result<std::shared_ptr<const jose::JwkSet>> Fetch(std::uint64_t seen_generation, bool respect_cooldown);
  Result<std::string> JwksUri();

  JwksSourceOptions options_;
  std::mutex mu_;        // Guards the fields below.
  std::mutex fetch_mu_;  // One fetch at a time.
  std::shared_ptr<const jose::JwkSet> keys_;
  std::chrono::steady_clock::time_point fetched_at_{};
  std::uint64_t generation_ = 0;
  std::string jwks_uri_;
  std::atomic<std::uint64_t> fetches_{0};
  bool fixed_ = false;
};

}  // namespace aip::oauth
