#include "aip/authn/replay_cache.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::authn {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(ReplayCacheTest, RefusesAReplayUntilTheProofExpires) {
  InMemoryReplayCache cache(1000, 1);  // One shard: expiry is swept per shard, as keys land in it.
  TimePoint now = DefaultClock().Now();
  EXPECT_THAT(cache.Remember("did:key:a|n1", now + std::chrono::seconds(60), now), IsOk());
  EXPECT_THAT(cache.Remember("did:key:a|n1", now + std::chrono::seconds(60), now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(cache.Remember("did:key:b|n1", now + std::chrono::seconds(60), now), IsOk());  // Another key.
  EXPECT_EQ(cache.size(), 2u);
  // Once expired (its proof no longer verifies), the entry is dropped.
  EXPECT_THAT(cache.Remember("did:key:c|n", now + std::chrono::seconds(300), now + std::chrono::seconds(61)), IsOk());
  EXPECT_EQ(cache.size(), 1u);
}

// Full: new credentials are refused (fail closed) until entries expire; earliest expiries go first.
TEST(ReplayCacheTest, FullRefusesUntilEntriesExpire) {
  InMemoryReplayCache cache(64, 1);
  TimePoint now = DefaultClock().Now();
  for (int i = 0; i < 64; ++i) {
    ASSERT_THAT(cache.Remember("k" + std::to_string(i), now + std::chrono::seconds(10 + (i % 2) * 100), now), IsOk());
  }
  EXPECT_THAT(cache.Remember("one-more", now + std::chrono::seconds(10), now), StatusIs(ErrorCode::kResourceExhausted));
  TimePoint later = now + std::chrono::seconds(11);
  EXPECT_THAT(cache.Remember("one-more", now + std::chrono::seconds(200), later), IsOk());
  EXPECT_EQ(cache.size(), 33u);  // The 32 long-lived ones and the new one.
  EXPECT_THAT(cache.Remember("k1", now + std::chrono::seconds(200), later), StatusIs(ErrorCode::kUnauthenticated));
}

TEST(ReplayCacheTest, RefusesCredentialsFromBeforeTheHorizon) {
  InMemoryReplayCache memory;
  ReplayCache& cache = memory;
  cache.StartsNow();
  TimePoint now = DefaultClock().Now();
  EXPECT_THAT(cache.Remember("k", now - std::chrono::seconds(5), now + std::chrono::seconds(60), now),
              StatusIs(ErrorCode::kFailedPrecondition));
  cache.WaitPastHorizon();
  TimePoint after = DefaultClock().Now();
  EXPECT_THAT(cache.Remember("k", TimePoint(std::chrono::floor<std::chrono::seconds>(after)), after + std::chrono::seconds(60), after),
              IsOk());
}

}  // namespace
}  // namespace aip::authn
