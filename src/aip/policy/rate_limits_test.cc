#include "aip/policy/rate_limits.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::policy {
namespace {

using ::aip::testing::StatusIs;
using namespace std::chrono_literals;

RateLimits Limits(std::string_view text) {
  auto doc = toml::Parse(text, "l.toml");
  EXPECT_TRUE(doc.ok());
  auto l = RateLimits::FromDocument(*doc);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
  return std::move(*l);
}

authn::Principal Agent(std::string id) {
  authn::Principal p;
  p.kind = authn::Principal::Kind::kAgent;
  p.id = std::move(id);
  return p;
}

TEST(RateLimitsTest, TokenBucketPerPrincipalRefillsAtItsRate) {
  RateLimits l = Limits("[[limit]]\nid = \"a\"\nrate = 2\nburst = 3\n");
  auto alice = Agent("did:key:alice"), bob = Agent("did:key:bob");
  auto t0 = RateLimits::Clock::time_point{} + 1h;
  Request q{&alice, "u", "tools/call", "t", nullptr};
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(l.Take(q, t0).has_value());
  auto hit = l.Take(q, t0);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->limit_id, "a");
  EXPECT_EQ(hit->retry_after, 500ms);
  EXPECT_FALSE(l.Take(Request{&bob, "u", "tools/call", "t", nullptr}, t0).has_value());  // Bob has his own.
  EXPECT_FALSE(l.Take(q, t0 + 500ms).has_value());
  EXPECT_TRUE(l.Take(q, t0 + 500ms).has_value());
}

// A shared store that cannot be reached.
class DownStore : public BucketStore {
 public:
  Result<std::optional<Limited>> TakeAll(const std::vector<BucketTake>&) override { return UnavailableError("store down"); }
};

TEST(RateLimitsTest, AnUnreachableStoreRefusesUnlessLocalFallbackWasChosen) {
  auto alice = Agent("did:key:alice");
  auto t0 = RateLimits::Clock::time_point{} + 1h;
  Request q{&alice, "u", "tools/call", "t", nullptr};
  RateLimits refusing = Limits("[[limit]]\nid = \"a\"\nrate = 1\nburst = 2\n");
  refusing.UseStore(std::make_shared<DownStore>());
  auto hit = refusing.Take(q, t0);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->store_unavailable);
  EXPECT_EQ(hit->limit_id, "a");

  RateLimits local = Limits("[[limit]]\nid = \"a\"\nrate = 1\nburst = 2\n");
  auto fallbacks = std::make_shared<std::atomic<std::uint64_t>>(0);
  local.UseStore(std::make_shared<DownStore>(), fallbacks);
  EXPECT_FALSE(local.Take(q, t0).has_value());
  EXPECT_FALSE(local.Take(q, t0).has_value());
  hit = local.Take(q, t0);  // This instance's own bucket still limits.
  ASSERT_TRUE(hit.has_value());
  EXPECT_FALSE(hit->store_unavailable);
  EXPECT_EQ(fallbacks->load(), 3u);
}

TEST(RateLimitsTest, PerToolAndFilteredLimits) {
  RateLimits l = Limits(R"([[limit]]
id = "slow-tool"
per = "principal_tool"
rate = 1
burst = 1
targets = ["export_*"]
)");
  auto alice = Agent("did:key:alice");
  auto t0 = RateLimits::Clock::time_point{} + 1h;
  EXPECT_FALSE(l.Take(Request{&alice, "u", "tools/call", "export_a", nullptr}, t0).has_value());
  EXPECT_TRUE(l.Take(Request{&alice, "u", "tools/call", "export_a", nullptr}, t0).has_value());
  EXPECT_FALSE(l.Take(Request{&alice, "u", "tools/call", "export_b", nullptr}, t0).has_value());
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(l.Take(Request{&alice, "u", "tools/call", "list", nullptr}, t0).has_value());
}

TEST(RateLimitsTest, AnEmptyBucketTakesNoTokenFromTheOthers) {
  RateLimits l =
      Limits("[[limit]]\nid = \"wide\"\nrate = 1\nburst = 5\n[[limit]]\nid = \"narrow\"\nrate = 1\nburst = 1\ntargets = [\"x\"]\n");
  auto alice = Agent("did:key:alice");
  auto t0 = RateLimits::Clock::time_point{} + 1h;
  EXPECT_FALSE(l.Take(Request{&alice, "u", "tools/call", "x", nullptr}, t0).has_value());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.Take(Request{&alice, "u", "tools/call", "x", nullptr}, t0)->limit_id, "narrow");
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(l.Take(Request{&alice, "u", "tools/call", "y", nullptr}, t0).has_value());
  EXPECT_EQ(l.Take(Request{&alice, "u", "tools/call", "y", nullptr}, t0)->limit_id, "wide");
}

TEST(RateLimitsTest, GlobalLimitBoundsACrowdOfFreshIdentities) {
  RateLimits l = Limits("[[limit]]\nid = \"all\"\nper = \"global\"\nrate = 1\nburst = 10\n");
  auto t0 = RateLimits::Clock::time_point{} + 1h;
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    auto p = Agent("did:key:fresh" + std::to_string(i));
    if (!l.Take(Request{&p, "u", "tools/call", "t", nullptr}, t0)) ++admitted;
  }
  EXPECT_EQ(admitted, 10);
  EXPECT_EQ(l.bucket_count(), 1u);
}

TEST(RateLimitsTest, BadLimitsNameTheLine) {
  auto bad = [](std::string_view text) {
    auto doc = toml::Parse(text, "l.toml");
    return RateLimits::FromDocument(*doc);
  };
  EXPECT_THAT(bad("[[limit]]\nid = \"a\"\nrate = 0\n"), StatusIs(ErrorCode::kInvalidArgument, "l.toml:3: limit[0].rate: must be > 0"));
  EXPECT_THAT(bad("[[limit]]\nid = \"a\"\nrate = 1\nper = \"ip\"\n"), StatusIs(ErrorCode::kInvalidArgument, "l.toml:4"));
  EXPECT_THAT(bad("[[limit]]\nid = \"a\"\nrate = 1\ncolour = 1\n"), StatusIs(ErrorCode::kInvalidArgument, "unknown field"));
  EXPECT_THAT(bad("[[limit]]\nrate = 1\n"), StatusIs(ErrorCode::kInvalidArgument, "limit[0].id: is required"));
  EXPECT_THAT(bad("[[limit]]\nid = 5\nrate = 1\n"), StatusIs(ErrorCode::kInvalidArgument, "must be a string"));
}

}  // namespace
}  // namespace aip::policy
