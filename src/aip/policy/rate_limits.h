// Rate limits: token buckets per principal, or per principal × tool, declared beside the rules.
//
//   [[limit]]
//   id = "per-agent"
//   per = "principal"            # or "principal_tool", or "global" (one bucket for everyone)
//   rate = 10.0                  # tokens per second
//   burst = 20                   # bucket size
//   kinds = ["agent"]; principals = ["did:key:*"]; upstreams = ["tasks"]; targets = ["*"]   # optional filters
//
// A request takes one token from every limit that matches it, or none when any of them is
// empty (then the caller learns how long to wait). Anonymous callers share one bucket. Buckets
// live in this process, or in a store several instances share (UseStore). DIDs cost
// nothing to make, so a "global" limit is what bounds a crowd of fresh identities.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aip/base/toml.h"
#include "aip/policy/policy.h"

namespace aip::policy {

struct Limited {
  std::string limit_id;
  std::chrono::milliseconds retry_after{0};
  bool store_unavailable = false;  // The shared store could not be asked: refused, fail closed.
};

// One bucket a request takes a token from: which limit, whose bucket, and its shape.
struct BucketTake {
  std::string limit_id;
  std::string key;  // The limit, and the principal (and tool) the bucket counts for.
  double rate = 0;  // Tokens per second.
  double burst = 0;
};

// BucketStore keeps the buckets somewhere several instances share (redis/bucket_store.h), so
// N instances enforce one limit rather than N.
class BucketStore {
 public:
  virtual ~BucketStore() = default;
  // TakeAll takes one token from every bucket atomically, or none when any is empty: then the
  // limit whose bucket needs the longest wait, and the wait.
  virtual Result<std::optional<Limited>> TakeAll(const std::vector<BucketTake>& takes) = 0;
};

class RateLimits {
 public:
  using Clock = std::chrono::steady_clock;
  static Result<RateLimits> FromDocument(const toml::Document& doc);

  // Take admits the request (nullopt) or names the limit it hit and when to retry.
  std::optional<Limited> Take(const Request& request, Clock::time_point now = Clock::now());
  // UseStore keeps the buckets in a shared store from now on (this process's own otherwise).
  // While the store cannot be asked, requests are refused (Limited::store_unavailable) — or,
  // given `local_fallbacks`, counted in this process's own buckets, each such request added to
  // that counter (the caller's, so it outlives a reload).
  using FallbackCounter = std::shared_ptr<std::atomic<std::uint64_t>>;
  void UseStore(std::shared_ptr<BucketStore> store, FallbackCounter local_fallbacks = nullptr) {
    store_ = std::move(store);
    local_fallbacks_ = std::move(local_fallbacks);
  }
  std::size_t size() const { return specs_.size(); }
  // LimitIds lists the limits' ids in order.
  std::vector<std::string> LimitIds() const;
  std::size_t bucket_count();

  struct Spec;
  RateLimits();
  RateLimits(RateLimits&&) noexcept;
  RateLimits& operator=(RateLimits&&) noexcept;
  ~RateLimits();

 private:
  enum class Per { kPrincipal, kPrincipalTool, kGlobal };
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
    Clock::time_point full_at;  // When it will have refilled: then it can be forgotten.
  };
  std::optional<Limited> TakeShared(const Request& request, Clock::time_point now);
  std::optional<Limited> TakeLocal(const Request& request, Clock::time_point now);

  std::vector<std::shared_ptr<const Spec>> specs_;
  std::shared_ptr<BucketStore> store_;
  FallbackCounter local_fallbacks_;
  std::unique_ptr<std::mutex> mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace aip::policy
