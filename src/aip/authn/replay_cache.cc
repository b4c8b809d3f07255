#include "aip/authn/replay_cache.h"

#include <thread>

#include <functional>

namespace aip::authn {

void ReplayCache::WaitPastHorizon() const {
  TimePoint now = DefaultClock().Now();
  if (horizon_ > now) std::this_thread::sleep_for(horizon_ - now);
}

InMemoryReplayCache::InMemoryReplayCache(std::size_t max_entries, std::size_t shards)
    : per_shard_(std::max<std::size_t>(1, max_entries / std::max<std::size_t>(1, shards))) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) shards_.push_back(std::make_unique<Shard>());
}

Status InMemoryReplayCache::Remember(std::string_view key, TimePoint expires, TimePoint now) {
  Shard& s = *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
  std::lock_guard lock(s.mu);
  // Drop what has expired: a nonce only needs remembering while its proof could still verify.
  while (!s.by_expiry.empty() && s.by_expiry.begin()->first < now) {
    s.entries.erase(s.by_expiry.begin()->second);
    s.by_expiry.erase(s.by_expiry.begin());
  }
  if (s.entries.contains(std::string(key))) return UnauthenticatedError("nonce already used (replayed request)");
  if (s.entries.size() >= per_shard_) return ResourceExhaustedError("replay cache is full");
  s.entries.emplace(std::string(key), expires);
  s.by_expiry.emplace(expires, std::string(key));
  return OkStatus();
}

std::size_t InMemoryReplayCache::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->entries.size();
  }
  return n;
}

std::optional<ReplayRefusalText> ReplayRefusal(const Status& remembered) {
  if (remembered.ok()) return std::nullopt;
  switch (remembered.code()) {
    case ErrorCode::kUnauthenticated: return ReplayRefusalText{"replayed_nonce", "this request was already used"};
    case ErrorCode::kFailedPrecondition:
      return ReplayRefusalText{"predates_restart", "the request was signed before this server started; sign it again"};
    default: return ReplayRefusalText{"replay_cache_full", "the replay cache is full; try again later"};
  }
}

}  // namespace aip::authn
