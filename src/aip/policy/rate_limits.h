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
// empty (then the caller learns how long to wait). Anonymous callers share one bucket. DIDs cost
// nothing to make, so a "global" limit is what bounds a crowd of fresh identities.
#pragma once

#include <chrono>
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
};

class RateLimits {
 public:
  using Clock = std::chrono::steady_clock;
  static Result<RateLimits> FromDocument(const toml::Document& doc);

  // Take admits the request (nullopt) or names the limit it hit and when to retry.
  std::optional<Limited> Take(const Request& request, Clock::time_point now = Clock::now());
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
  std::vector<std::shared_ptr<const Spec>> specs_;
  std::unique_ptr<std::mutex> mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace aip::policy
