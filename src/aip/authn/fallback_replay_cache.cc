#include "aip/authn/fallback_replay_cache.h"

namespace aip::authn {

FallbackReplayCache::FallbackReplayCache(std::shared_ptr<ReplayCache> shared, std::size_t local_entries,
                                         std::shared_ptr<std::atomic<std::uint64_t>> fallbacks)
    : shared_(std::move(shared)),
      local_(local_entries),
      fallbacks_(fallbacks ? std::move(fallbacks) : std::make_shared<std::atomic<std::uint64_t>>(0)) {
  // Local memory starts with this process: during an outage, credentials made before it are
  // refused as they would be by a single instance; the listener waits past this horizon.
  local_.StartsNow();
  set_horizon(local_.horizon());
}

Status FallbackReplayCache::Remember(std::string_view key, TimePoint expires, TimePoint now) {
  return Settle(shared_->Remember(key, expires, now), key, std::nullopt, expires, now);
}

Status FallbackReplayCache::Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) {
  return Settle(shared_->Remember(key, created, expires, now), key, created, expires, now);
}

Status FallbackReplayCache::Settle(const Status& shared, std::string_view key, std::optional<TimePoint> created, TimePoint expires,
                                   TimePoint now) {
  if (shared.code() == ErrorCode::kUnavailable) {
    fallbacks_->fetch_add(1, std::memory_order_relaxed);
    return created ? local_.Remember(key, *created, expires, now) : local_.Remember(key, expires, now);
  }
  if (!shared.ok()) return shared;
  // Accepted by the store; remembered here too, for the next outage. A full local memory does
  // not refuse what the store accepted, but a nonce this instance has already seen is a replay
  // whatever the store says (it may have lost its data).
  Status local = local_.Remember(key, expires, now);
  return local.code() == ErrorCode::kUnauthenticated ? local : OkStatus();
}

}  // namespace aip::authn
