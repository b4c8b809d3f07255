// RedisReplayCache: the replay cache in Redis, shared by every instance that names the same
// store, so a signed request accepted by one instance is refused by all the others. Each nonce
// is a key set with SET NX PX (first use wins, atomically) that expires with its proof; keys are
// fixed-size digests under a namespace. The store keeps its own horizon — the time from which it
// has seen every nonce ("<namespace>:replay:since", set when the store is first used) — so a
// restarted gateway does not refuse anyone, while a Redis that lost its data (restarted without
// persistence, flushed) starts a new horizon at once and credentials from before it are refused
// on every instance. Redis must not evict keys (maxmemory-policy noeviction): a forgotten nonce
// is a replay; Connect refuses a store that says it evicts.
#pragma once

#include <memory>
#include <string>

#include "aip/authn/replay_cache.h"
#include "aip/redis/client.h"

namespace aip::redis {

class RedisReplayCache final : public authn::ReplayCache {
 public:
  // Create checks the store's eviction policy and reads (or starts) its horizon.
  static Result<std::shared_ptr<RedisReplayCache>> Create(std::shared_ptr<RedisClient> client, std::string ns = "aip");

  Status Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) override;
  // Without a creation time the horizon is not checked (the registry's signed requests).
  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override;
  std::size_t size() const override { return 0; }  // Not tracked here: Redis holds the truth.
  Status Refresh() override;

 private:
  RedisReplayCache(std::shared_ptr<RedisClient> client, std::string ns)
      : client_(std::move(client)), since_key_(ns + ":replay:since"), nonce_prefix_(ns + ":replay:n:") {}
  Status Run(std::string_view key, std::optional<TimePoint> created, TimePoint expires, TimePoint now);

  std::shared_ptr<RedisClient> client_;
  std::string since_key_;
  std::string nonce_prefix_;
};

}  // namespace aip::redis
