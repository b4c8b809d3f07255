// SharedStores: the state a gateway shares with the other instances behind the same load
// balancer — the replay cache ([replay]) and the rate-limit buckets ([rate_limits]) in Redis —
// or, where none is configured, its own memory. It watches each store once a second: an outage
// and a recovery are logged once each, /readyz says not ready while a store that refuses calls
// is down, and /metrics shows each store's command latency, errors, connections and (with
// on_store_error = "local") the calls checked against this instance's memory only.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aip/authn/replay_cache.h"
#include "aip/base/json.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/policy/rate_limits.h"
#include "aip/redis/client.h"

namespace aip::gateway {

class SharedStores {
 public:
  // Open connects to the configured stores (a store that cannot be reached, or that would evict
  // nonces, stops the start) and declares their metrics.
  static Result<std::unique_ptr<SharedStores>> Open(const GatewayConfig& config, Metrics& metrics);

  const std::shared_ptr<authn::ReplayCache>& replay() const { return replay_; }
  // AttachLimits gives a newly built set of limits the shared buckets, if configured.
  void AttachLimits(policy::RateLimits& limits) const;
  // Tick asks each store whether it is up (and the replay store for its horizon).
  void Tick();
  // Ready is false while a store that refuses calls when down (on_store_error = "refuse") is
  // down; `report` gets each store's state.
  bool Ready(json::Object& report) const;

 private:
  struct Store {
    std::string name;  // "replay" or "rate_limits": the section, and the metrics' label.
    std::shared_ptr<redis::RedisClient> client;
    RedisStoreConfig::OnError on_error = RedisStoreConfig::OnError::kRefuse;
    std::atomic<bool> up{true};
    std::shared_ptr<std::atomic<std::uint64_t>> fallbacks = std::make_shared<std::atomic<std::uint64_t>>(0);
  };
  Result<Store*> Connect(const GatewayConfig& config, const char* section, const RedisStoreConfig& store, Metrics& metrics);
  void Describe(Metrics& metrics);

  std::vector<std::unique_ptr<Store>> stores_;
  std::shared_ptr<authn::ReplayCache> replay_;
  Store* replay_store_ = nullptr;  // Null: the replay cache is this process's memory.
  std::shared_ptr<policy::BucketStore> buckets_;
  Store* bucket_store_ = nullptr;
};

}  // namespace aip::gateway
