#include "aip/net/resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "aip/testing/testing.h"

namespace aip::net {
namespace {

using namespace std::chrono_literals;
using ::aip::testing::StatusIs;
using ::testing::ElementsAre;

TEST(DeadlineResolverTest, AnswersIpLiteralsWithoutALookup) {
  std::atomic<int> lookups = 0;
  DeadlineResolver resolver([&](const std::string&) -> Result<std::vector<std::string>> {
    ++lookups;
    return UnavailableError("must not be called");
  });
  EXPECT_THAT(*resolver.Resolve("127.0.0.1", 1s), ElementsAre("127.0.0.1"));
  EXPECT_THAT(*resolver.Resolve("2001:db8::1", 1s), ElementsAre("2001:db8::1"));
  EXPECT_EQ(lookups, 0);
}

TEST(DeadlineResolverTest, ReturnsTheLookupsAnswerOrItsError) {
  DeadlineResolver resolver([](const std::string& host) -> Result<std::vector<std::string>> {
    if (host == "known.test") return std::vector<std::string>{"192.0.2.7", "2001:db8::7"};
    return UnavailableError("Name or service not known");
  });
  EXPECT_THAT(*resolver.Resolve("known.test", 5s), ElementsAre("192.0.2.7", "2001:db8::7"));
  EXPECT_THAT(resolver.Resolve("unknown.test", 5s), StatusIs(ErrorCode::kUnavailable, "not known"));
}

TEST(DeadlineResolverTest, RefusesWhatIsNotAHostNameWithoutALookup) {
  std::atomic<int> lookups = 0;
  DeadlineResolver resolver([&](const std::string&) -> Result<std::vector<std::string>> {
    ++lookups;
    return std::vector<std::string>{"192.0.2.1"};
  });
  for (const std::string& host : {std::string(""), std::string("evil.example\0.good.example", 26), std::string("a b.example"),
                                  std::string("a..example"), std::string(".example"), std::string("a\r\nx.example"),
                                  std::string(64, 'a') + ".example", std::string(254, 'a'), std::string("[::1]")}) {
    EXPECT_THAT(resolver.Resolve(host, 1s), StatusIs(ErrorCode::kInvalidArgument)) << host;
  }
  EXPECT_EQ(lookups, 0);
  for (const std::string& host :
       {std::string("example.com"), std::string("example.com."), std::string("_srv.my-host.example"), std::string(63, 'a') + ".example"}) {
    EXPECT_TRUE(resolver.Resolve(host, 1s).ok()) << host;
  }
}

TEST(DeadlineResolverTest, GivesUpAtTheDeadlineWhileTheLookupHangs) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  DeadlineResolver resolver([released](const std::string&) -> Result<std::vector<std::string>> {
    released.wait();
    return std::vector<std::string>{"192.0.2.1"};
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(resolver.Resolve("slow.test", 100ms), StatusIs(ErrorCode::kUnavailable, "timed out"));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 100ms);
  EXPECT_LT(waited, 5s);  // Bounded by the deadline, not by the stalled lookup.
  release.set_value();
}

TEST(DeadlineResolverTest, CapsLookupsInProgressAndRecoversWhenTheyFinish) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> finished = 0;
  DeadlineResolver resolver(
      [released, &finished](const std::string&) -> Result<std::vector<std::string>> {
        released.wait();
        ++finished;
        return std::vector<std::string>{"192.0.2.1"};
      },
      2);
  EXPECT_THAT(resolver.Resolve("a.test", 10ms), StatusIs(ErrorCode::kUnavailable, "timed out"));
  EXPECT_THAT(resolver.Resolve("b.test", 10ms), StatusIs(ErrorCode::kUnavailable, "timed out"));
  EXPECT_THAT(resolver.Resolve("c.test", 10s), StatusIs(ErrorCode::kUnavailable, "too many"));
  release.set_value();
  for (int i = 0; i < 500; ++i) {  // The two stalled lookups finish and give their slots back.
    auto answer = resolver.Resolve("d.test", 10s);
    if (answer.ok()) {
      EXPECT_THAT(*answer, ElementsAre("192.0.2.1"));
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  FAIL() << "the resolver did not recover after the stalled lookups finished";
}

TEST(DeadlineResolverTest, SystemLookupResolvesLocalhostAndRefusesAnInvalidName) {
  auto local = SystemLookup("localhost");
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_FALSE(local->empty());
  EXPECT_THAT(SystemLookup("name.invalid"), StatusIs(ErrorCode::kUnavailable));
}

}  // namespace
}  // namespace aip::net
