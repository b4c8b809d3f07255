#include "aip/authn/fallback_replay_cache.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::authn {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

// A shared store that can be taken down; while up it remembers like any cache.
class SwitchableStore : public ReplayCache {
 public:
  bool down = false;
  Status Remember(std::string_view key, TimePoint expires, TimePoint now) override {
    if (down) return UnavailableError("store down");
    return memory.Remember(key, expires, now);
  }
  Status Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) override {
    if (down) return UnavailableError("store down");
    return memory.Remember(key, created, expires, now);
  }
  std::size_t size() const override { return memory.size(); }
  Status Refresh() override { return down ? UnavailableError("store down") : OkStatus(); }
  InMemoryReplayCache memory{1000, 1};
};

TEST(FallbackReplayCacheTest, TheStoreDecidesWhileItIsUp) {
  auto store = std::make_shared<SwitchableStore>();
  FallbackReplayCache cache(store, 1000);
  TimePoint now = DefaultClock().Now() + std::chrono::seconds(2);
  TimePoint exp = now + std::chrono::seconds(60);
  // Another instance spent n1 in the store: refused here though this instance never saw it.
  ASSERT_THAT(store->memory.Remember("a|n1", exp, now), IsOk());
  EXPECT_THAT(cache.Remember("a|n1", now, exp, now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(cache.Remember("a|n2", now, exp, now), IsOk());
  EXPECT_THAT(cache.Remember("a|n2", now, exp, now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(cache.Refresh(), IsOk());
  EXPECT_EQ(cache.fallbacks(), 0u);
}

TEST(FallbackReplayCacheTest, DuringAnOutageLocalMemoryDecidesAndRemembersWhatItSawBefore) {
  auto store = std::make_shared<SwitchableStore>();
  FallbackReplayCache cache(store, 1000);
  TimePoint now = DefaultClock().Now() + std::chrono::seconds(2);
  TimePoint exp = now + std::chrono::seconds(60);
  ASSERT_THAT(cache.Remember("a|seen", now, exp, now), IsOk());
  store->down = true;
  EXPECT_THAT(cache.Refresh(), StatusIs(ErrorCode::kUnavailable));
  // What this instance accepted before the outage stays refused during it.
  EXPECT_THAT(cache.Remember("a|seen", now, exp, now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(cache.Remember("a|new", now, exp, now), IsOk());
  EXPECT_THAT(cache.Remember("a|new", now, exp, now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_EQ(cache.fallbacks(), 3u);
  // Made before this process started: local memory cannot vouch for it.
  EXPECT_THAT(cache.Remember("a|old", now - std::chrono::hours(1), exp, now), StatusIs(ErrorCode::kFailedPrecondition));
  // Back up: a nonce first seen during the outage is still refused here, whatever the store says.
  store->down = false;
  EXPECT_THAT(cache.Remember("a|new", now, exp, now), StatusIs(ErrorCode::kUnauthenticated));
}

TEST(FallbackReplayCacheTest, OtherStoreRefusalsAreNotBypassed) {
  auto store = std::make_shared<SwitchableStore>();
  store->memory.set_horizon(DefaultClock().Now() + std::chrono::hours(1));
  FallbackReplayCache cache(store, 1000);
  TimePoint now = DefaultClock().Now() + std::chrono::seconds(2);
  EXPECT_THAT(cache.Remember("a|n", now, now + std::chrono::seconds(60), now), StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_EQ(cache.fallbacks(), 0u);
}

}  // namespace
}  // namespace aip::authn
