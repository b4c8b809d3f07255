#include "aip/net/forwarded.h"

#include <gtest/gtest.h>

namespace aip::net {
namespace {

Headers With(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  Headers h;
  for (auto [n, v] : fields) h.Add(n, v);
  return h;
}

TEST(IpRangeTest, ParsesAndMatchesBothFamilies) {
  auto ten = *IpRange::Parse("10.0.0.0/8");
  EXPECT_TRUE(ten.Contains("10.1.2.3"));
  EXPECT_TRUE(ten.Contains("::ffff:10.1.2.3"));
  EXPECT_FALSE(ten.Contains("11.0.0.1"));
  EXPECT_FALSE(ten.Contains("not an address"));
  auto one = *IpRange::Parse("127.0.0.1");
  EXPECT_TRUE(one.Contains("127.0.0.1"));
  EXPECT_FALSE(one.Contains("127.0.0.2"));
  auto odd = *IpRange::Parse("192.168.4.0/23");
  EXPECT_TRUE(odd.Contains("192.168.5.255"));
  EXPECT_FALSE(odd.Contains("192.168.6.0"));
  auto v6 = *IpRange::Parse("2001:db8::/32");
  EXPECT_TRUE(v6.Contains("2001:db8:ffff::1"));
  EXPECT_FALSE(v6.Contains("2001:db9::1"));
  EXPECT_TRUE(IpRange::Parse("0.0.0.0/0")->Contains("8.8.8.8"));
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.1/8", "2001:db8::/129", "example.com", "10.0.0.0/08x"}) {
    EXPECT_FALSE(IpRange::Parse(bad).ok()) << bad;
  }
}

TEST(ForwardedTest, ReadsForwardedBeforeXForwardedFor) {
  auto chain = ForwardedChain(With(
      {{"forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\""}, {"x-forwarded-for", "198.51.100.1"}}));
  EXPECT_EQ(chain, (std::vector<std::string>{"192.0.2.60", "2001:db8:cafe::17"}));
  chain = ForwardedChain(With({{"x-forwarded-for", "198.51.100.1, 10.0.0.2:8080"}, {"x-forwarded-for", "10.0.0.3"}}));
  EXPECT_EQ(chain, (std::vector<std::string>{"198.51.100.1", "10.0.0.2", "10.0.0.3"}));
  chain = ForwardedChain(With({{"forwarded", "for=unknown, by=10.0.0.1"}}));
  EXPECT_EQ(chain, (std::vector<std::string>{"unknown", "unknown"}));
}

TEST(TrustedProxiesTest, BelievesHeadersOnlyFromTrustedPeers) {
  auto proxies = *TrustedProxies::Parse({"10.0.0.0/8", "127.0.0.1"});
  auto xff = With({{"x-forwarded-for", "6.6.6.6, 203.0.113.9"}});
  // Not from a proxy: the header is the client's own claim, ignored.
  EXPECT_EQ(proxies.ClientAddress("198.51.100.7", xff), "198.51.100.7");
  // From a proxy: the nearest hop that is not a trusted proxy.
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", xff), "203.0.113.9");
  // A chain of trusted proxies is walked through.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", With({{"x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.1.1"}})), "203.0.113.9");
  // All trusted: the leftmost.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", With({{"x-forwarded-for", "10.2.2.2, 10.1.1.1"}})), "10.2.2.2");
  // No header: the proxy itself.
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", Headers()), "127.0.0.1");
  // An unreadable hop ends the walk at the trusted proxy that passed it on.
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", With({{"x-forwarded-for", "203.0.113.9, garbage"}})), "127.0.0.1");
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", With({{"forwarded", "for=_hidden"}})), "127.0.0.1");
  EXPECT_EQ(proxies.ClientAddress("127.0.0.1", With({{"forwarded", "for=\"[2001:db8::1]:80\""}})), "2001:db8::1");
  // Nobody trusted: headers never matter.
  auto none = *TrustedProxies::Parse({});
  EXPECT_EQ(none.ClientAddress("127.0.0.1", xff), "127.0.0.1");
  EXPECT_FALSE(TrustedProxies::Parse({"10.0.0.0/8", "nope"}).ok());
}

}  // namespace
}  // namespace aip::net
