// RedisBucketStore: rate-limit buckets in Redis, so every instance that names the same store
// enforces one limit. The same token-bucket arithmetic as the in-process buckets, executed in
// one Lua script on the server (all-or-nothing across the limits a request matches), timed by
// the server's clock so instances with skewed clocks agree. Bucket keys are fixed-size digests
// under a namespace and expire once their bucket would be full again.
#pragma once

#include <memory>
#include <string>

#include "aip/policy/rate_limits.h"
#include "aip/redis/client.h"

namespace aip::redis {

class RedisBucketStore final : public policy::BucketStore {
 public:
  RedisBucketStore(std::shared_ptr<RedisClient> client, std::string ns) : client_(std::move(client)), prefix_(std::move(ns) + ":rl:") {}
  Result<std::optional<policy::Limited>> TakeAll(const std::vector<policy::BucketTake>& takes) override;

 private:
  std::shared_ptr<RedisClient> client_;
  std::string prefix_;
};

}  // namespace aip::redis
