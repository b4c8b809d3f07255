// Replay protection for every credential that carries a nonce (signed calls, RFC 9421
// signatures, DPoP proofs, registry requests): each (key, nonce) may be used once within its proof's
// lifetime. The in-memory cache is sharded (low contention), bounded (a fixed number of entries,
// so an attacker cannot exhaust memory) and fails closed: when full of live entries it refuses
// new ones rather than forgetting old ones. Behind an interface so several gateway instances can
// share one store (Redis) later.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/status.h"

namespace aip::authn {

class ReplayCache {
 public:
  virtual ~ReplayCache() = default;
  // Remember records `key` until `expires`; kUnauthenticated if it is already there (a replay),
  // kResourceExhausted if the cache is full of live entries.
  virtual Status Remember(std::string_view key, TimePoint expires, TimePoint now) = 0;
  virtual std::size_t size() const = 0;
};

class InMemoryReplayCache final : public ReplayCache {
 public:
  explicit InMemoryReplayCache(std::size_t max_entries = 1'000'000, std::size_t shards = 16);
  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override;
  std::size_t size() const override;

 private:
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, TimePoint> entries;
    std::multimap<TimePoint, std::string> by_expiry;
  };
  std::size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace aip::authn
