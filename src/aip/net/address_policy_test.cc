#include "aip/net/address_policy.h"

#include <gtest/gtest.h>

namespace aip::net {
namespace {

TEST(IsPublicAddressTest, RefusesEveryIpv4SpecialPurposeRange) {
  for (const char* ip : {"0.0.0.0",         "0.1.2.3",         "10.1.2.3",   "100.64.0.1",     "100.127.255.254", "127.0.0.1",
                         "127.255.255.255", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.170",     "192.0.2.1",
                         "192.88.99.1",     "192.168.1.1",     "198.18.0.1", "198.19.255.255", "198.51.100.7",    "203.0.113.9",
                         "224.0.0.1",       "239.255.255.250", "240.0.0.1",  "255.255.255.255"}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  EXPECT_FALSE(IsPublicAddress(std::string("8.8.8.8\0.internal", 17)));  // Not cut short at the NUL.
}

TEST(IsPublicAddressTest, AdmitsIpv4JustOutsideTheRanges) {
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
                         "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(IsPublicAddressTest, RefusesIpv6OutsideGlobalUnicastAndItsSpecialRanges) {
  for (const char* ip : {"::",        "::1",        "::127.0.0.1", "::8.8.8.8",   "100::1",  "fc00::1",     "fd12:3456::1",
                         "fe80::1",   "fec0::1",    "ff02::1",     "ff0e::1",     "5f00::1", "2001::1",     "2001:0:4136:e378::1",
                         "2001:2::1", "2001:10::1", "2001:1ff::1", "2001:db8::1", "3fff::1", "3fff:fff::1", "64:ff9b:1::1"}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  for (const char* ip : {"2606:4700::1111", "2001:200::1", "2001:4860:4860::8888", "2a00:1450::1", "3ffe::1", "3fff:1000::1"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(IsPublicAddressTest, JudgesIpv6FormsThatCarryIpv4ByTheirIpv4Address) {
  // IPv4-mapped, NAT64 well-known prefix, 6to4: each reaches the embedded IPv4 host.
  for (const char* ip : {"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "64:ff9b::127.0.0.1",
                         "2002:7f00:1::", "2002:a00:1::1", "2002:c0a8:101::"}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
  for (const char* ip : {"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}) {
    EXPECT_TRUE(IsPublicAddress(ip)) << ip;
  }
}

TEST(IsPublicAddressTest, RefusesWhatIsNotOneAddressLiteral) {
  for (const char* ip : {"", "localhost", "example.com", "127.1", "0x7f.0.0.1", "017.0.0.1", "1.2.3.4.5", "8.8.8.8 ", "fe80::1%eth0",
                         "2606:4700::1111%1", "[::1]", "::ffff:8.8.8.8/96"}) {
    EXPECT_FALSE(IsPublicAddress(ip)) << ip;
  }
}

TEST(IsIpLiteralTest, OneAddressWithoutBracketsOrZone) {
  for (const char* ip : {"127.0.0.1", "8.8.8.8", "::1", "2001:db8::1", "::ffff:10.0.0.1"}) EXPECT_TRUE(IsIpLiteral(ip)) << ip;
  for (const char* host : {"", "localhost", "example.com", "127.1", "[::1]", "fe80::1%eth0", "1.2.3.4 "}) {
    EXPECT_FALSE(IsIpLiteral(host)) << host;
  }
  EXPECT_FALSE(IsIpLiteral(std::string("10.0.0.1\0x", 10)));
}

}  // namespace
}  // namespace aip::net
