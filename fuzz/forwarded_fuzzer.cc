// The forwarded-address parsers never crash, and the client address they give is always the TCP
// peer or an IP address the headers named — never a fragment of garbage.
#include <cstdint>
#include <string>
#include <string_view>

#include "aip/net/forwarded.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t split = text.find('\n');
  std::string_view first = text.substr(0, split);
  std::string_view second = split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  (void)aip::net::IpRange::Parse(first);
  aip::net::Headers headers;
  headers.Add("forwarded", first);
  headers.Add("x-forwarded-for", second);
  static const auto proxies = *aip::net::TrustedProxies::Parse({"10.0.0.0/8", "127.0.0.1", "2001:db8::/32"});
  std::string client = proxies.ClientAddress("127.0.0.1", headers);
  if (client != "127.0.0.1" && !aip::net::ParseIp(client)) __builtin_trap();
  aip::net::Headers xff_only;
  xff_only.Add("x-forwarded-for", text);
  client = proxies.ClientAddress("10.1.2.3", xff_only);
  if (client != "10.1.2.3" && !aip::net::ParseIp(client)) __builtin_trap();
  return 0;
}
