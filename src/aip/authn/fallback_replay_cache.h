// FallbackReplayCache: a shared replay store, and this process's memory for when the store
// cannot be reached — what an operator chooses with on_store_error = "local" when staying up
// matters more than refusing every signed call through an outage. It weakens the guarantee, and
// says so: during an outage a request accepted by one instance can be replayed once on each of
// the others (each remembers only what it saw). Every nonce the store accepts is also remembered
// here, so an instance never accepts twice what it saw itself, outage or not.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "aip/authn/replay_cache.h"

namespace aip::authn {

class FallbackReplayCache final : public ReplayCache {
 public:
  // Each call checked locally adds one to `fallbacks` (a counter of the caller's, or its own).
  FallbackReplayCache(std::shared_ptr<ReplayCache> shared, std::size_t local_entries,
                      std::shared_ptr<std::atomic<std::uint64_t>> fallbacks = nullptr);

  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override;
  Status Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) override;
  std::size_t size() const override { return local_.size(); }
  // Refresh asks the shared store: an error means calls are being checked locally.
  Status Refresh() override { return shared_->Refresh(); }
  // How many calls were checked against local memory only, because the store was unreachable.
  std::uint64_t fallbacks() const { return fallbacks_->load(std::memory_order_relaxed); }

 private:
  Status Settle(const Status& shared, std::string_view key, std::optional<TimePoint> created, TimePoint expires, TimePoint now);

  std::shared_ptr<ReplayCache> shared_;
  InMemoryReplayCache local_;
  std::shared_ptr<std::atomic<std::uint64_t>> fallbacks_;
};

}  // namespace aip::authn
