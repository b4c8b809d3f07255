// did:web resolution over HTTPS (W3C CCG did:web): did:web:example.com →
// https://example.com/.well-known/did.json; did:web:example.com:users:alice →
// https://example.com/users/alice/did.json; a port is written %3A. The fetch refuses private,
// loopback and link-local addresses (an attacker-chosen DID must not make us call internal
// services) unless `allow_private` is set for tests; documents are bounded in size and must
// name the DID they were fetched for.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aip/base/clock.h"
#include "aip/identity/resolver.h"
#include "aip/resolvers/guarded_fetch.h"

namespace aip::resolvers {

// A did:web document is fetched with the guards of any address a stranger chose.
using DidWebOptions = GuardedFetchOptions;

// DidWebUrl maps a did:web to the URL of its document.
Result<std::string> DidWebUrl(std::string_view did);

class DidWebResolver final : public identity::DidResolver {
 public:
  explicit DidWebResolver(DidWebOptions options = {}) : options_(std::move(options)) {}
  Result<identity::Resolution> Resolve(std::string_view did) const override;

 private:
  DidWebOptions options_;
};

// CachingResolver keeps successful resolutions for `ttl` and failures for `failure_ttl`
// (bounded entries; oldest evicted). Lookups are what an unauthenticated caller can make the
// server do (any DID in a proof is looked up before the signature can be checked), so they are
// bounded: callers asking for one DID at once share one fetch, and at most `max_fetches` run at
// once — more are refused at once (kUnavailable) rather than queued on threads.
struct CachingOptions {
  std::chrono::seconds ttl{300};
  std::chrono::seconds failure_ttl{30};
  std::size_t max_entries = 10000;
  int max_fetches = 8;
};

class CachingResolver final : public identity::DidResolver {
 public:
  CachingResolver(std::shared_ptr<const identity::DidResolver> inner, CachingOptions options = {});
  Result<identity::Resolution> Resolve(std::string_view did) const override;
  Result<identity::VerificationMethod> ResolveKey(std::string_view vm_id, identity::Purpose purpose) const override;
  int fetches_in_progress() const;

 private:
  struct Entry {
    TimePoint until;
    Result<identity::Resolution> result;
  };
  struct Flight;
  void Store(std::string did, Entry entry) const;

  std::shared_ptr<const identity::DidResolver> inner_;
  CachingOptions options_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Entry, std::less<>> cache_;
  mutable std::map<std::string, std::shared_ptr<Flight>, std::less<>> flights_;
};

}  // namespace aip::resolvers
