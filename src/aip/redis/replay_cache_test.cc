#include "aip/redis/replay_cache.h"

#include <gtest/gtest.h>

#include "aip/redis/test_server.h"
#include "aip/testing/testing.h"

namespace aip::redis {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;
using std::chrono::seconds;

std::shared_ptr<RedisReplayCache> Cache(const TestRedisServer& server, std::string ns = "aip") {
  auto client = RedisClient::Connect(server.Options());
  EXPECT_THAT(client.status(), IsOk());
  auto cache = RedisReplayCache::Create(*client, ns);
  EXPECT_THAT(cache.status(), IsOk());
  (*cache)->WaitPastHorizon();  // A new store remembers from the next whole second, as a gateway waits.
  return *cache;
}

TimePoint Now() { return DefaultClock().Now(); }

TEST(RedisReplayCacheTest, ANonceUsedOnOneInstanceIsRefusedOnAnother) {
  TestRedisServer server;
  auto a = Cache(server), b = Cache(server), other_namespace = Cache(server, "other");
  TimePoint now = Now();
  ASSERT_THAT(a->Remember("did:key:z|n1", now, now + seconds(60), now), IsOk());
  EXPECT_THAT(b->Remember("did:key:z|n1", now, now + seconds(60), now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(a->Remember("did:key:z|n1", now + seconds(60), now), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(b->Remember("did:key:z|n2", now, now + seconds(60), now), IsOk());
  EXPECT_THAT(other_namespace->Remember("did:key:z|n1", now, now + seconds(60), now), IsOk());
  auto refusal = authn::ReplayRefusal(b->Remember("did:key:z|n2", now + seconds(60), now));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "replayed_nonce");
}

TEST(RedisReplayCacheTest, ANonceIsForgottenWhenItsProofExpires) {
  TestRedisServer server;
  auto a = Cache(server);
  TimePoint now = Now();
  ASSERT_THAT(a->Remember("k", now + std::chrono::milliseconds(150), now), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_THAT(a->Remember("k", Now() + seconds(60), Now()), IsOk());
  auto client = RedisClient::Connect(server.Options());
  auto keys = (*client)->Command({"KEYS", "aip:replay:n:*"});
  ASSERT_THAT(keys.status(), IsOk());
  ASSERT_EQ(keys->elements.size(), 1u);
  EXPECT_EQ(keys->elements[0].text.size(), std::string("aip:replay:n:").size() + 43);  // A fixed-size digest.
}

TEST(RedisReplayCacheTest, AStoreThatLostItsDataRefusesOlderCredentialsOnEveryInstance) {
  TestRedisServer server;
  TimePoint before = Now() - seconds(5);
  auto seed = RedisClient::Connect(server.Options());  // A store in use for a while.
  ASSERT_THAT((*seed)
                  ->Command({"SET", "aip:replay:since",
                             std::to_string(std::chrono::duration_cast<seconds>(before.time_since_epoch()).count() - 60)})
                  .status(),
              IsOk());
  auto a = Cache(server), b = Cache(server);
  // A restarted gateway on the same store keeps accepting credentials made before its start.
  ASSERT_THAT(a->Remember("old-1", before, Now() + seconds(60), Now()), IsOk());
  auto client = RedisClient::Connect(server.Options());
  ASSERT_THAT((*client)->Command({"FLUSHALL"}).status(), IsOk());  // Redis restarted without persistence.
  // The store starts a new horizon at once; a credential from before could have been used.
  EXPECT_THAT(a->Remember("old-1", before, Now() + seconds(60), Now()), StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(b->Remember("old-2", before, Now() + seconds(60), Now()), StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_GE(b->horizon(), std::chrono::floor<seconds>(Now()));
  auto refusal = authn::ReplayRefusal(b->Remember("old-3", before, Now() + seconds(60), Now()));
  EXPECT_EQ(refusal->reason, "predates_restart");
  std::this_thread::sleep_for(b->horizon() - Now() + std::chrono::milliseconds(10));
  TimePoint fresh = std::chrono::floor<seconds>(Now());
  EXPECT_THAT(b->Remember("new", fresh, fresh + seconds(60), Now()), IsOk());
}

TEST(RedisReplayCacheTest, RefusesAStoreThatEvictsKeys) {
  TestRedisServer server({"--maxmemory-policy", "volatile-lru"});
  auto client = RedisClient::Connect(server.Options());
  ASSERT_THAT(client.status(), IsOk());
  auto cache = RedisReplayCache::Create(*client);
  EXPECT_THAT(cache.status(), StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_NE(cache.status().message().find("noeviction"), std::string::npos);
}

TEST(RedisReplayCacheTest, AStoreThatIsDownRefusesEveryCredential) {
  TestRedisServer server;
  auto a = Cache(server);
  server.Stop();
  TimePoint now = Now();
  Status s = a->Remember("k", now, now + seconds(60), now);
  EXPECT_THAT(s, StatusIs(ErrorCode::kUnavailable));
  EXPECT_EQ(authn::ReplayRefusal(s)->reason, "replay_store_unavailable");
}

}  // namespace
}  // namespace aip::redis
