#include "aip/gateway/shared_stores.h"

#include "aip/authn/fallback_replay_cache.h"
#include "aip/base/log.h"
#include "aip/redis/bucket_store.h"
#include "aip/redis/replay_cache.h"

namespace aip::gateway {
namespace {

constexpr const char* kWeakened =
    "on_store_error = \"local\": while the store is down each instance checks calls against its own memory only — "
    "a request accepted by one instance can be replayed on another, and each instance grants a whole rate limit";

}  // namespace

Result<SharedStores::Store*> SharedStores::Connect(const GatewayConfig& config, const char* section, const RedisStoreConfig& cfg,
                                                   Metrics& metrics) {
  AIP_ASSIGN_OR_RETURN(redis::RedisOptions options, redis::ParseRedisUrl(cfg.store));
  options.password = cfg.password;
  options.tls_ca_file = cfg.tls_ca_file;
  options.timeout = cfg.timeout;
  options.pool = static_cast<std::size_t>(cfg.pool);
  auto client = redis::RedisClient::Connect(std::move(options));
  if (!client) return UnavailableError(config.source + ": " + section + ".store: " + client.error().message);
  auto store = std::make_unique<Store>();
  store->name = section;
  store->client = *client;
  store->on_error = cfg.on_store_error;
  Histogram latency = metrics.HistogramFor("aip_gateway_store_command_seconds", {{"store", section}});
  Counter errors = metrics.CounterFor("aip_gateway_store_errors_total", {{"store", section}});
  store->client->OnCommand([latency, errors](std::chrono::duration<double> took, bool ok) {
    latency.Observe(took.count());
    if (!ok) errors.Add();
  });
  if (cfg.on_store_error == RedisStoreConfig::OnError::kLocal) {
    LogEvent("warning", "store_fallback_configured", json::Object{{"store", section}, {"message", kWeakened}});
  }
  stores_.push_back(std::move(store));
  return stores_.back().get();
}

Result<std::unique_ptr<SharedStores>> SharedStores::Open(const GatewayConfig& config, Metrics& metrics) {
  std::unique_ptr<SharedStores> s(new SharedStores());
  s->Describe(metrics);
  if (config.replay.store.empty()) {
    auto cache = std::make_shared<authn::InMemoryReplayCache>(config.replay_cache_entries);
    // The cache starts empty: a credential made before this process could be one an earlier
    // process already accepted, so those are refused, and the listener opens past the horizon.
    cache->StartsNow();
    s->replay_ = std::move(cache);
  } else {
    // A shared store keeps its own horizon: a restarted instance refuses nobody.
    AIP_ASSIGN_OR_RETURN(s->replay_store_, s->Connect(config, "replay", config.replay, metrics));
    auto cache = redis::RedisReplayCache::Create(s->replay_store_->client, config.replay.ns);
    if (!cache) return UnavailableError(config.source + ": replay.store: " + cache.error().message);
    s->replay_ = *cache;
    if (config.replay.on_store_error == RedisStoreConfig::OnError::kLocal) {
      s->replay_ = std::make_shared<authn::FallbackReplayCache>(s->replay_, config.replay_cache_entries, s->replay_store_->fallbacks);
    }
  }
  if (!config.rate_limits.store.empty()) {
    // Settings of the shared stores take effect at start; a reload keeps the stores it has.
    AIP_ASSIGN_OR_RETURN(s->bucket_store_, s->Connect(config, "rate_limits", config.rate_limits, metrics));
    s->buckets_ = std::make_shared<redis::RedisBucketStore>(s->bucket_store_->client, config.rate_limits.ns);
  }
  return s;
}

void SharedStores::Describe(Metrics& metrics) {
  metrics.Describe("aip_gateway_store_up", Metrics::Type::kGauge, "1 while a shared store answers (checked once a second).");
  metrics.Describe("aip_gateway_store_command_seconds", Metrics::Type::kHistogram, "Time of each command to a shared store.");
  metrics.Describe("aip_gateway_store_errors_total", Metrics::Type::kCounter, "Commands to a shared store that failed.");
  metrics.Describe("aip_gateway_store_connections", Metrics::Type::kGauge, "Connections to a shared store, busy or idle.");
  metrics.Describe("aip_gateway_store_fallbacks_total", Metrics::Type::kCounter,
                   "Calls checked against this instance's memory only, the store being down (on_store_error = \"local\").");
  SharedStores* self = this;
  metrics.SetCallback("aip_gateway_store_up", [self] {
    std::vector<std::pair<Labels, double>> out;
    for (const auto& s : self->stores_) out.push_back({{{"store", s->name}}, s->up ? 1.0 : 0.0});
    return out;
  });
  metrics.SetCallback("aip_gateway_store_connections", [self] {
    std::vector<std::pair<Labels, double>> out;
    for (const auto& s : self->stores_) {
      redis::PoolUse use = s->client->pool_use();
      out.push_back({{{"store", s->name}, {"state", "busy"}}, static_cast<double>(use.busy)});
      out.push_back({{{"store", s->name}, {"state", "idle"}}, static_cast<double>(use.idle)});
    }
    return out;
  });
  metrics.SetCallback("aip_gateway_store_fallbacks_total", [self] {
    std::vector<std::pair<Labels, double>> out;
    for (const auto& s : self->stores_) {
      if (s->on_error == RedisStoreConfig::OnError::kLocal)
        out.push_back({{{"store", s->name}}, static_cast<double>(s->fallbacks->load())});
    }
    return out;
  });
}

void SharedStores::AttachLimits(policy::RateLimits& limits) const {
  if (!buckets_) return;
  bool local = bucket_store_->on_error == RedisStoreConfig::OnError::kLocal;
  limits.UseStore(buckets_, local ? bucket_store_->fallbacks : nullptr);
}

void SharedStores::Tick() {
  for (const auto& s : stores_) {
    // The replay store's Refresh also learns its horizon: a store that lost its data moves every
    // instance's horizon within a second.
    bool up = s.get() == replay_store_ ? replay_->Refresh().ok() : [&] {
      auto pong = s->client->Command({"PING"});
      return pong.ok() && pong->type != redis::Reply::Type::kError;
    }();
    if (up == s->up.exchange(up)) continue;
    json::Object fields{{"store", s->name}};
    if (!up && s->on_error == RedisStoreConfig::OnError::kLocal) fields["message"] = kWeakened;
    if (!up && s->on_error == RedisStoreConfig::OnError::kRefuse) {
      fields["message"] = "calls that need this store are refused (503) until it is back";
    }
    LogEvent(up ? "info" : (s->on_error == RedisStoreConfig::OnError::kLocal ? "error" : "warning"),
             up ? "store_back" : "store_unavailable", std::move(fields));
  }
}

bool SharedStores::Ready(json::Object& report) const {
  bool ready = true;
  for (const auto& s : stores_) {
    bool required = s->on_error == RedisStoreConfig::OnError::kRefuse;
    report[s->name] = json::Object{{"up", s->up.load()}, {"required", required}};
    if (required && !s->up) ready = false;
  }
  return ready;
}

}  // namespace aip::gateway
