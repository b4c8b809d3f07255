#include "aip/registry/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace aip::registry {

void KeyedRateLimiter::ForgetFull(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.last).count();
    if (it->second.tokens + elapsed * rate_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<std::chrono::milliseconds> KeyedRateLimiter::Take(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      ForgetFull(now);
      if (buckets_.size() >= max_keys_) return std::chrono::milliseconds(1000);
    }
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  double wait = rate_ > 0 ? (1.0 - b.tokens) / rate_ : 3600;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait * 1000)));
}

}  // namespace aip::registry
