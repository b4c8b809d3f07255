// Which IP addresses an outbound fetch of a URL that someone else chose (a did:web document, a
// federated registry) may connect to: the SSRF defence behind HttpClientOptions::allow_address.
#pragma once

#include <string>

namespace aip::net {

// IsPublicAddress is true only for globally routable unicast addresses. It is false for anything
// that is not one IPv4 or IPv6 literal (zone ids included) and for the special-purpose ranges of
// the IANA registries: this-network, private, shared (CGN), loopback, link-local, IETF protocol
// assignments, documentation, benchmarking, 6to4 relay, multicast, reserved and broadcast in IPv4;
// in IPv6 everything outside 2000::/3 (unspecified, loopback, unique-local, link- and site-local,
// multicast, discard, SRv6) and, inside it, 2001::/23 (Teredo, ORCHID, benchmarking …) and both
// documentation prefixes. IPv6 forms that carry an IPv4 address to a translator or tunnel
// (IPv4-mapped, the NAT64 well-known prefix 64:ff9b::/96, 6to4 2002::/16) are judged by that
// IPv4 address, so ::ffff:10.0.0.1 or 2002:7f00:1:: cannot reach an internal host.
bool IsPublicAddress(const std::string& ip);

// IsIpLiteral is true for one IPv4 (dotted decimal) or IPv6 literal, without brackets or zone.
bool IsIpLiteral(const std::string& host);

}  // namespace aip::net
