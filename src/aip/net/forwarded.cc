#include "aip/net/forwarded.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "aip/base/ascii.h"

namespace aip::net {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// SplitList splits a comma-separated header value, outside double quotes.
std::vector<std::string_view> SplitList(std::string_view value, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '"') quoted = !quoted;
    if (value[i] == sep && !quoted) {
      out.push_back(Trim(value.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(Trim(value.substr(start)));
  return out;
}

// NodeAddress strips what a node name may carry around the address: quotes, IPv6 brackets, a
// port ("192.0.2.1:80", "[2001:db8::1]:4711").
std::string NodeAddress(std::string_view node) {
  if (node.size() >= 2 && node.front() == '"' && node.back() == '"') node = node.substr(1, node.size() - 2);
  if (node.starts_with('[')) {
    std::size_t close = node.find(']');
    return close == std::string_view::npos ? std::string(node) : std::string(node.substr(1, close - 1));
  }
  // One colon: IPv4 with a port. More: a bare IPv6 address.
  if (std::size_t colon = node.find(':'); colon != std::string_view::npos && node.find(':', colon + 1) == std::string_view::npos) {
    node = node.substr(0, colon);
  }
  return std::string(node);
}

}  // namespace

std::optional<std::array<std::uint8_t, 16>> ParseIp(std::string_view address) {
  if (address.empty() || address.size() > 45) return std::nullopt;
  std::string text(address);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (::inet_pton(AF_INET6, text.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

Result<IpRange> IpRange::Parse(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string_view address = text.substr(0, slash);
  auto ip = ParseIp(address);
  if (!ip) return InvalidArgumentError("\"" + std::string(text) + "\" is not an IP address or CIDR range");
  bool v4 = address.find(':') == std::string_view::npos;
  int max = v4 ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgumentError("\"" + std::string(text) + "\": bad prefix length");
    }
    prefix = std::stoi(std::string(digits));
    if (prefix > max) return InvalidArgumentError("\"" + std::string(text) + "\": prefix longer than the address");
  }
  IpRange r;
  r.bytes_ = *ip;
  r.prefix_ = v4 ? prefix + 96 : prefix;
  // The address must be the range's first: "10.0.0.1/8" is more likely a mistake than a wish.
  for (int bit = r.prefix_; bit < 128; ++bit) {
    if (r.bytes_[bit / 8] & (0x80 >> (bit % 8))) {
      return InvalidArgumentError("\"" + std::string(text) + "\": host bits set (did you mean the network address?)");
    }
  }
  return r;
}

bool IpRange::Contains(std::string_view address) const {
  auto ip = ParseIp(address);
  if (!ip) return false;
  int full = prefix_ / 8;
  if (std::memcmp(ip->data(), bytes_.data(), full) != 0) return false;
  if (prefix_ % 8 == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xff00 >> (prefix_ % 8));
  return ((*ip)[full] & mask) == (bytes_[full] & mask);
}

std::vector<std::string> ForwardedChain(const Headers& headers) {
  std::vector<std::string> chain;
  bool forwarded = false;
  for (const auto& [name, value] : headers.fields()) {
    if (name != "forwarded") continue;
    forwarded = true;
    for (std::string_view element : SplitList(value, ',')) {
      std::string node = "unknown";  // An element without for= says nothing we can use.
      for (std::string_view pair : SplitList(element, ';')) {
        std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && AsciiLower(Trim(pair.substr(0, eq))) == "for") node = NodeAddress(Trim(pair.substr(eq + 1)));
      }
      chain.push_back(std::move(node));
    }
  }
  if (forwarded) return chain;
  for (const auto& [name, value] : headers.fields()) {
    if (name != "x-forwarded-for") continue;
    for (std::string_view entry : SplitList(value, ',')) chain.push_back(NodeAddress(entry));
  }
  return chain;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies t;
  for (const auto& c : cidrs) {
    AIP_ASSIGN_OR_RETURN(auto range, IpRange::Parse(c));
    t.ranges_.push_back(range);
  }
  return t;
}

bool TrustedProxies::Trusts(std::string_view address) const {
  for (const auto& r : ranges_) {
    if (r.Contains(address)) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(std::string_view peer, const Headers& headers) const {
  std::string client(peer);
  if (!Trusts(peer)) return client;
  std::vector<std::string> chain = ForwardedChain(headers);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!ParseIp(*it)) return client;  // Nothing beyond a hop we cannot read is believed.
    client = *it;
    if (!Trusts(client)) return client;
  }
  return client;
}

}  // namespace aip::net
