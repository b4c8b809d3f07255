// The Python AIP X-AIP-* headers, on deployments that opt in: header values and body arrive as
// the caller sent them. Input: "Name: value" lines, a blank line, then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/legacy_headers.h"
#include "aip/net/http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  aip::net::Headers headers;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t nl = in.find('\n', pos);
    std::string_view line = in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? in.size() : nl + 1;
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.Add(name, value);
  }
  static const auto resolver = aip::mcpsig::DefaultResolver();
  aip::mcpsig::LegacyAipHeaderAuthenticator auth(resolver, std::make_shared<aip::authn::InMemoryReplayCache>(16));
  aip::authn::HttpInfo http{"POST", "http://127.0.0.1:8080/mcp", &headers, in.substr(pos), "127.0.0.1"};
  (void)auth.Authenticate(aip::json::Object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}, &http);
  return 0;
}
