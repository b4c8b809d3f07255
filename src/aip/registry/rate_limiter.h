// KeyedRateLimiter: one token bucket per key (a client address, a DID), bounded in memory — at
// most `max_keys` buckets; buckets that refilled are forgotten first, and when every bucket is
// busy a new key is refused (fail closed) rather than letting a crowd of keys grow the map.
#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace aip::registry {

class KeyedRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  KeyedRateLimiter(double per_second, double burst, std::size_t max_keys = 100000)
      : rate_(per_second), burst_(burst), max_keys_(max_keys) {}
  // Take returns nullopt when `key` may go on, else how long to wait.
  std::optional<std::chrono::milliseconds> Take(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  void ForgetFull(Clock::time_point now);
  double rate_, burst_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace aip::registry
