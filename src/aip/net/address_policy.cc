#include "aip/net/address_policy.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <span>

namespace aip::net {
namespace {

struct Prefix {
  std::array<std::uint8_t, 16> bytes;  // Only the first (bits + 7) / 8 bytes are significant.
  int bits;
};

bool InPrefix(std::span<const std::uint8_t> address, const Prefix& prefix) {
  int whole = prefix.bits / 8;
  for (int i = 0; i < whole; ++i) {
    if (address[i] != prefix.bytes[i]) return false;
  }
  int rest = prefix.bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (prefix.bytes[whole] & mask);
}

// IANA IPv4 Special-Purpose Address Registry, plus multicast and the reserved block (which
// holds the limited broadcast address).
constexpr Prefix kNonPublicV4[] = {
    {{0}, 8},              // "This network".
    {{10}, 8},             // Private.
    {{100, 64}, 10},       // Shared address space (carrier-grade NAT).
    {{127}, 8},            // Loopback.
    {{169, 254}, 16},      // Link-local (cloud metadata services live here).
    {{172, 16}, 12},       // Private.
    {{192, 0, 0}, 24},     // IETF protocol assignments.
    {{192, 0, 2}, 24},     // Documentation (TEST-NET-1).
    {{192, 88, 99}, 24},   // 6to4 relay anycast.
    {{192, 168}, 16},      // Private.
    {{198, 18}, 15},       // Benchmarking.
    {{198, 51, 100}, 24},  // Documentation (TEST-NET-2).
    {{203, 0, 113}, 24},   // Documentation (TEST-NET-3).
    {{224}, 4},            // Multicast.
    {{240}, 4},            // Reserved, and 255.255.255.255.
};

constexpr Prefix kGlobalUnicastV6 = {{0x20}, 3};
constexpr Prefix kNonPublicInGlobalV6[] = {
    {{0x20, 0x01, 0x00}, 23},        // IETF protocol assignments (Teredo, ORCHID, benchmarking …).
    {{0x20, 0x01, 0x0d, 0xb8}, 32},  // Documentation.
    {{0x3f, 0xff, 0x00}, 20},        // Documentation.
};
constexpr Prefix kV4MappedV6 = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96};
constexpr Prefix kNat64V6 = {{0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, 96};
constexpr Prefix kSixToFourV6 = {{0x20, 0x02}, 16};

bool IsPublicV4(std::span<const std::uint8_t, 4> address) {
  for (const auto& prefix : kNonPublicV4) {
    if (InPrefix(address, prefix)) return false;
  }
  return true;
}

bool IsPublicV6(std::span<const std::uint8_t, 16> address) {
  if (InPrefix(address, kV4MappedV6) || InPrefix(address, kNat64V6)) return IsPublicV4(address.subspan<12, 4>());
  if (InPrefix(address, kSixToFourV6)) return IsPublicV4(address.subspan<2, 4>());
  if (!InPrefix(address, kGlobalUnicastV6)) return false;
  for (const auto& prefix : kNonPublicInGlobalV6) {
    if (InPrefix(address, prefix)) return false;
  }
  return true;
}

// inet_pton reads a C string: text after a NUL would go unseen ("8.8.8.8\0.evil" is not one
// address, whatever its prefix says).
bool HasNul(const std::string& text) { return text.find('\0') != std::string::npos; }

}  // namespace

bool IsPublicAddress(const std::string& ip) {
  if (HasNul(ip)) return false;
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, ip.c_str(), v4.data()) == 1) return IsPublicV4(v4);
  std::array<std::uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, ip.c_str(), v6.data()) == 1) return IsPublicV6(v6);
  return false;
}

bool IsIpLiteral(const std::string& host) {
  if (HasNul(host)) return false;
  std::array<std::uint8_t, 16> buffer{};
  return inet_pton(AF_INET, host.c_str(), buffer.data()) == 1 || inet_pton(AF_INET6, host.c_str(), buffer.data()) == 1;
}

}  // namespace aip::net
