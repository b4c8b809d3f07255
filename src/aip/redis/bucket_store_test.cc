#include "aip/redis/bucket_store.h"

#include <gtest/gtest.h>

#include "aip/redis/test_server.h"
#include "aip/testing/testing.h"

namespace aip::redis {
namespace {

using ::aip::testing::IsOk;

policy::RateLimits Limits(std::string_view text, std::shared_ptr<policy::BucketStore> store) {
  auto doc = toml::Parse(text, "l.toml");
  EXPECT_TRUE(doc.ok());
  auto l = policy::RateLimits::FromDocument(*doc);
  EXPECT_TRUE(l.ok());
  l->UseStore(std::move(store));
  return std::move(*l);
}

authn::Principal Agent(std::string id) {
  authn::Principal p;
  p.kind = authn::Principal::Kind::kAgent;
  p.id = std::move(id);
  return p;
}

std::shared_ptr<RedisBucketStore> Store(const TestRedisServer& server) {
  auto client = RedisClient::Connect(server.Options());
  EXPECT_THAT(client.status(), IsOk());
  return std::make_shared<RedisBucketStore>(*client, "aip");
}

TEST(RedisBucketStoreTest, TwoInstancesShareOneBucket) {
  TestRedisServer server;
  // A slow refill (one token a minute): the test's own pace cannot refill a bucket.
  const char* text = "[[limit]]\nid = \"per-agent\"\nrate = 0.016\nburst = 3\n";
  auto a = Limits(text, Store(server)), b = Limits(text, Store(server));
  auto alice = Agent("did:key:alice"), bob = Agent("did:key:bob");
  policy::Request q{&alice, "u", "tools/call", "t", nullptr};
  EXPECT_FALSE(a.Take(q).has_value());
  EXPECT_FALSE(b.Take(q).has_value());
  EXPECT_FALSE(a.Take(q).has_value());
  auto hit = b.Take(q);  // The fourth call, on either instance.
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->limit_id, "per-agent");
  EXPECT_FALSE(hit->store_unavailable);
  EXPECT_GT(hit->retry_after, std::chrono::seconds(50));
  EXPECT_TRUE(a.Take(q).has_value());
  EXPECT_FALSE(a.Take(policy::Request{&bob, "u", "tools/call", "t", nullptr}).has_value());  // Bob has his own.
}

TEST(RedisBucketStoreTest, TakesFromEveryMatchingLimitOrFromNone) {
  TestRedisServer server;
  auto l = Limits(
      "[[limit]]\nid = \"wide\"\nrate = 0.016\nburst = 5\n"
      "[[limit]]\nid = \"narrow\"\nper = \"principal_tool\"\nrate = 0.016\nburst = 1\ntargets = [\"t\"]\n",
      Store(server));
  auto alice = Agent("did:key:alice");
  EXPECT_FALSE(l.Take(policy::Request{&alice, "u", "tools/call", "t", nullptr}).has_value());
  auto hit = l.Take(policy::Request{&alice, "u", "tools/call", "t", nullptr});
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->limit_id, "narrow");
  // The refused call took nothing from "wide": 4 tokens are left there, for other tools.
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(l.Take(policy::Request{&alice, "u", "tools/call", "other", nullptr}).has_value()) << i;
  EXPECT_EQ(l.Take(policy::Request{&alice, "u", "tools/call", "other", nullptr})->limit_id, "wide");
}

TEST(RedisBucketStoreTest, AStoreThatIsDownRefuses) {
  TestRedisServer server;
  auto l = Limits("[[limit]]\nid = \"a\"\nrate = 1\nburst = 10\n", Store(server));
  server.Stop();
  auto alice = Agent("did:key:alice");
  auto hit = l.Take(policy::Request{&alice, "u", "tools/call", "t", nullptr});
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->store_unavailable);
}

}  // namespace
}  // namespace aip::redis
