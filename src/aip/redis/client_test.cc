#include "aip/redis/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "aip/redis/test_server.h"
#include "aip/testing/testing.h"

namespace aip::redis {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(ParseRedisUrlTest, ReadsHostPortAndDatabase) {
  auto o = ParseRedisUrl("redis://10.0.0.5:6380/2");
  ASSERT_THAT(o.status(), IsOk());
  EXPECT_EQ(o->host, "10.0.0.5");
  EXPECT_EQ(o->port, 6380);
  EXPECT_EQ(o->db, 2);
  o = ParseRedisUrl("redis://[::1]");
  ASSERT_THAT(o.status(), IsOk());
  EXPECT_EQ(o->host, "::1");
  EXPECT_EQ(o->port, 6379);
}

TEST(ParseRedisUrlTest, RefusesPasswordsTlsAndNonsense) {
  EXPECT_THAT(ParseRedisUrl("redis://:secret@host:6379").status(), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(ParseRedisUrl("redis://:secret@host:6379").status().message().find("password_env"), std::string::npos);
  EXPECT_THAT(ParseRedisUrl("rediss://host").status(), StatusIs(ErrorCode::kInvalidArgument));
  for (const char* bad : {"http://host", "redis://", "redis://host:0", "redis://host:70000", "redis://host/x", "redis://host:6379x"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
}

TEST(RedisClientTest, RunsCommandsFromManyThreadsOnABoundedPool) {
  TestRedisServer server;
  RedisOptions o = server.Options();
  o.pool = 2;
  auto client = RedisClient::Connect(o);
  ASSERT_THAT(client.status(), IsOk());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto r = (*client)->Command({"INCR", "counter"});
        if (r && r->type == Reply::Type::kInteger) ++ok;
      }
      (void)t;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 400);
  auto r = (*client)->Command({"GET", "counter"});
  ASSERT_THAT(r.status(), IsOk());
  EXPECT_EQ(r->text, "400");
  auto err = (*client)->Command({"NOSUCHCOMMAND"});
  ASSERT_THAT(err.status(), IsOk());
  EXPECT_EQ(err->type, Reply::Type::kError);
}

TEST(RedisClientTest, AWrongPasswordIsRefusedWithoutEchoingIt) {
  TestRedisServer server({"--requirepass", "right-password"});
  RedisOptions o = server.Options();
  o.password = crypto::SecretBytes(AsBytes(std::string_view("wrong-password")));
  auto refused = RedisClient::Connect(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find("wrong-password"), std::string::npos) << refused.status().message();
  o.password = crypto::SecretBytes(AsBytes(std::string_view("right-password")));
  EXPECT_THAT(RedisClient::Connect(o).status(), IsOk());
}

TEST(RedisClientTest, AStoreThatIsGoneIsUnavailableWithinTheTimeout) {
  TestRedisServer server;
  auto client = RedisClient::Connect(server.Options());
  ASSERT_THAT(client.status(), IsOk());
  server.Stop();
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT((*client)->Command({"PING"}).status(), StatusIs(ErrorCode::kUnavailable));
  EXPECT_THAT((*client)->Command({"PING"}).status(), StatusIs(ErrorCode::kUnavailable));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace aip::redis
