// The client's address behind reverse proxies. A server behind a load balancer sees the proxy as
// its TCP peer; the proxy names the client in X-Forwarded-For or Forwarded (RFC 7239). Those
// headers are anyone's to write, so they are believed only from peers listed as trusted proxies
// (CIDR ranges), and only as far as the chain of trusted proxies goes: reading from the right
// (the hop nearest us), the first address that is not a trusted proxy is the client.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/status.h"
#include "aip/net/http.h"

namespace aip::net {

// IpRange is an IPv4 or IPv6 CIDR range ("10.0.0.0/8", "2001:db8::/32", or one address).
// IPv4 ranges also hold the IPv4-mapped IPv6 form of their addresses (::ffff:10.0.0.1).
class IpRange {
 public:
  static Result<IpRange> Parse(std::string_view text);
  bool Contains(std::string_view address) const;

 private:
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 as IPv4-mapped IPv6.
  int prefix_ = 128;                      // In IPv6 bits.
};

// ParseIp reads an IPv4 or IPv6 literal as 16 bytes (IPv4 mapped); nullopt for anything else.
std::optional<std::array<std::uint8_t, 16>> ParseIp(std::string_view address);

// ForwardedChain lists the addresses a request passed through as its headers say, client first:
// the `for=` parameters of Forwarded when present, else X-Forwarded-For. An entry that is not an
// IP address (RFC 7239 "unknown", an obfuscated "_name", garbage) is kept as it is, so it stops
// the walk in ClientAddress.
std::vector<std::string> ForwardedChain(const Headers& headers);

class TrustedProxies {
 public:
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);
  bool empty() const { return ranges_.empty(); }
  bool Trusts(std::string_view address) const;
  // ClientAddress is the TCP peer unless it is a trusted proxy; then the rightmost address of the
  // forwarded chain that is not a trusted proxy (the leftmost when all are). An entry that is not
  // an address ends the walk at the trusted hop that passed it on.
  std::string ClientAddress(std::string_view peer, const Headers& headers) const;

 private:
  std::vector<IpRange> ranges_;
};

}  // namespace aip::net
