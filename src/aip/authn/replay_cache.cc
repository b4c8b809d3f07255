#include "aip/authn/replay_cache.h"

#include <algorithm>
#include <functional>
#include <thread>

#include "aip/crypto/random.h"

namespace aip::authn {

void ReplayCache::WaitPastHorizon() const {
  TimePoint now = DefaultClock().Now();
  if (horizon() > now) std::this_thread::sleep_for(horizon() - now);
}

InMemoryReplayCache::InMemoryReplayCache(std::size_t max_entries, std::size_t shards)
    : per_shard_(std::max<std::size_t>(1, max_entries / std::max<std::size_t>(1, shards))), digest_key_(crypto::RandomBytes(32)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, shards); ++i) shards_.push_back(std::make_unique<Shard>());
}

Status InMemoryReplayCache::Remember(std::string_view key, TimePoint expires, TimePoint now) {
  crypto::Sha256Digest full = digest_key_.Mac(ByteSpan(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
  Digest d;
  std::copy(full.begin(), full.begin() + d.size(), d.begin());
  Shard& s = *shards_[DigestHash{}(d) % shards_.size()];
  auto later = [](const auto& a, const auto& b) { return a.first > b.first; };
  std::lock_guard lock(s.mu);
  // Drop what has expired: a nonce only needs remembering while its proof could still verify.
  while (!s.by_expiry.empty() && s.by_expiry.front().first < now) {
    s.entries.erase(s.by_expiry.front().second);
    std::pop_heap(s.by_expiry.begin(), s.by_expiry.end(), later);
    s.by_expiry.pop_back();
  }
  if (s.entries.contains(d)) return UnauthenticatedError("nonce already used (replayed request)");
  if (s.entries.size() >= per_shard_) return ResourceExhaustedError("replay cache is full");
  s.entries.emplace(d, expires);
  s.by_expiry.emplace_back(expires, d);
  std::push_heap(s.by_expiry.begin(), s.by_expiry.end(), later);
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
    case ErrorCode::kUnauthenticated:
      return ReplayRefusalText{"replayed_nonce", "this request was already used"};
    case ErrorCode::kFailedPrecondition:
      return ReplayRefusalText{"predates_restart", "the request was signed before this server started; sign it again"};
    case ErrorCode::kUnavailable:
      return ReplayRefusalText{"replay_store_unavailable", "the replay store cannot be reached; try again later"};
    default:
      return ReplayRefusalText{"replay_cache_full", "the replay cache is full; try again later"};
  }
}

}  // namespace aip::authn
