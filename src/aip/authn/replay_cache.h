// Replay protection for every credential that carries a nonce (signed calls, RFC 9421
// signatures, DPoP proofs, registry requests): each (key, nonce) may be used once within its proof's
// lifetime. The in-memory cache is sharded (low contention), bounded (a fixed number of entries,
// so an attacker cannot exhaust memory) and fails closed: when full of live entries it refuses
// new ones rather than forgetting old ones. Behind an interface so several instances can share
// one store (redis/replay_cache.h).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/base/clock.h"
#include "aip/crypto/sha.h"
#include "aip/base/status.h"

namespace aip::authn {

class ReplayCache {
 public:
  virtual ~ReplayCache() = default;
  // Remember records `key` until `expires`; kUnauthenticated if it is already there (a replay),
  // kResourceExhausted if the cache is full of live entries.
  virtual Status Remember(std::string_view key, TimePoint expires, TimePoint now) = 0;
  virtual std::size_t size() const = 0;
  // Refresh checks a shared store and learns its horizon (a store that lost its data starts a
  // new one at once, not at the next credential); called about once a second.
  virtual Status Refresh() { return OkStatus(); }

  // The horizon is the time from which the cache has seen every nonce. A memory that began at a
  // process start cannot know what was used before it: a credential created earlier could be a
  // replay, so Remember(key, created, ...) refuses it with kFailedPrecondition
  // (docs/protocol.md, "Replay across restarts"). TimePoint::min(): no horizon.
  TimePoint horizon() const { return TimePoint(horizon_.load()); }
  void set_horizon(TimePoint horizon) { horizon_ = horizon.time_since_epoch(); }
  // StartsNow is for a cache that starts empty with its process: the horizon becomes the next
  // whole second (credential times are whole seconds). The server opens its listener only once
  // WaitPastHorizon returns (at most a second, once at start).
  void StartsNow() { set_horizon(std::chrono::ceil<std::chrono::seconds>(DefaultClock().Now())); }
  void WaitPastHorizon() const;
  // Remember with the credential's creation time refuses one created before the horizon. A
  // shared store overrides it to judge against the store's own horizon atomically.
  virtual Status Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) {
    if (created < horizon()) return PredatesHorizon();
    return Remember(key, expires, now);
  }
  static Status PredatesHorizon() {
    return FailedPreconditionError("the credential was created before this server could remember its nonce");
  }

 private:
  // Atomic: a shared store moves it forward while requests are being checked.
  std::atomic<TimePoint::duration> horizon_{TimePoint::min().time_since_epoch()};
};

// ReplayRefusal maps what Remember said to an authentication failure's reason and message;
// nullopt when the nonce is fresh.
struct ReplayRefusalText {
  std::string reason, message;
};
std::optional<ReplayRefusalText> ReplayRefusal(const Status& remembered);

// InMemoryReplayCache keeps each key as a 128-bit digest (HMAC-SHA256 under a random
// per-process key, so nobody can choose keys whose digests collide) with its expiry: about 80 bytes a nonce, whatever the key's length. It
// must hold every nonce for its proof's lifetime: calls/s × lifetime (3,600/s with 5-minute proofs: 1.1 M). When full it refuses new
// credentials (fail closed) until entries expire.
class InMemoryReplayCache final : public ReplayCache {
 public:
  static constexpr std::size_t kDefaultEntries = 4'000'000;
  explicit InMemoryReplayCache(std::size_t max_entries = kDefaultEntries, std::size_t shards = 16);
  using ReplayCache::Remember;
  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override;
  std::size_t size() const override;

 private:
  using Digest = std::array<std::uint8_t, 16>;
  struct DigestHash {
    std::size_t operator()(const Digest& d) const {
      std::size_t h;
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<Digest, TimePoint, DigestHash> entries;
    std::vector<std::pair<TimePoint, Digest>> by_expiry;  // A min-heap on the expiry.
  };
  std::size_t per_shard_;
  crypto::HmacSha256Key digest_key_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace aip::authn
