// Web Bot Auth key directories over the network: the keys an operator publishes at
// https://<origin>/.well-known/http-message-signatures-directory, fetched with the same guards as
// did:web (verified HTTPS only, private and loopback addresses refused, bounded size and time),
// accepted only when the directory's own signature verifies for the origin it came from
// (httpsig::VerifyDirectory), and cached.
//
// The origin comes from a request's Signature-Agent field — chosen by whoever sends the request —
// so everything a stranger can make us do is bounded: at most `max_fetches` fetches at once (more
// are refused at once, not queued), one fetch per origin at a time (concurrent callers share it),
// failures remembered for `failure_ttl`, and a keyid the cached directory does not hold refetches
// it at most once per `refresh_interval` (an operator that just rotated is found; a flood of
// made-up keyids costs one fetch per interval).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/crypto/ed25519.h"
#include "aip/httpsig/web_bot_auth.h"
#include "aip/resolvers/guarded_fetch.h"

namespace aip::resolvers {

struct BotDirectoryOptions {
  GuardedFetchOptions fetch;  // allow_private only for tests (directories on loopback).
  // How long a directory is kept: its Cache-Control max-age within [min_ttl, max_ttl] (default_ttl
  // when it sends none), never past its signature's expiry.
  std::chrono::seconds min_ttl{60};
  std::chrono::seconds max_ttl{24 * 3600};
  std::chrono::seconds default_ttl{3600};
  std::chrono::seconds failure_ttl{30};
  std::chrono::seconds refresh_interval{60};
  std::size_t max_entries = 1000;
  int max_fetches = 8;
  // Origins whose directories may be fetched (globs over "https://host[:port]"); empty: any.
  std::vector<std::string> origins;
  httpsig::DirectoryVerifyOptions verify;
  const Clock* clock = &DefaultClock();
};

// DirectoryAuthority checks that `origin` is an https origin and nothing more
// ("https://bot.example" or "https://bot.example:8443", an optional trailing "/") and returns its
// authority ("bot.example:8443"), lowercased, without the default port 443. Anything else is
// kInvalidArgument.
Result<std::string> DirectoryAuthority(std::string_view origin);

// CacheMaxAge reads a response's Cache-Control max-age (no-store and no-cache count as 0);
// nullopt when it gives none. At most 10 digits are read.
std::optional<std::chrono::seconds> CacheMaxAge(const net::Headers& headers);

// OperatorDid is the did:web naming an origin's authority ("bot.example:8443" →
// "did:web:bot.example%3A8443"); empty for an IPv6 literal, which did:web cannot name.
std::string OperatorDid(std::string_view authority);

class BotDirectories {
 public:
  explicit BotDirectories(BotDirectoryOptions options);
  ~BotDirectories();

  // Key returns the Ed25519 key with thumbprint `keyid` from the directory of `origin`:
  // kUnauthenticated when the directory does not hold it (or does not verify), kUnavailable when
  // it cannot be fetched now, kPermissionDenied for an origin outside `origins`.
  Result<crypto::Ed25519PublicKey> Key(std::string_view keyid, std::string_view origin);

  // Fetches made so far (each one a network round trip), for tests and metrics.
  int fetches() const;

 private:
  struct Entry;
  struct Flight;
  Result<std::shared_ptr<const Entry>> Fetch(const std::string& origin, const std::string& authority);
  std::shared_ptr<const Entry> Refresh(const std::string& origin, const std::string& authority);

  BotDirectoryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> cache_;
  std::map<std::string, std::shared_ptr<Flight>, std::less<>> flights_;
  int fetches_ = 0;
};

}  // namespace aip::resolvers
