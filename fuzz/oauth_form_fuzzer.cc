// Form and query strings: authorization responses arrive as a redirect anyone can forge.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/net/http.h"
#include "aip/oauth/form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto form = aip::oauth::ParseForm(std::string_view(reinterpret_cast<const char*>(data), size));
  if (form) {
    // What is encoded again parses back to the same parameters.
    std::string again;
    for (const auto& [name, value] : *form)
      again += (again.empty() ? "" : "&") + aip::oauth::FormEncode(name) + "=" + aip::oauth::FormEncode(value);
    auto round = aip::oauth::ParseForm(again);
    if (!round || *round != *form) __builtin_trap();
  }
  // Path segments (registry routes) and listen addresses go through the same kind of decoding.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto path = aip::net::PercentDecode(text)) {
    auto again = aip::net::PercentDecode(aip::net::FormEncode(*path));
    if (!again || *again != *path) __builtin_trap();
  }
  (void)aip::net::ParseHostPort(text);
  return 0;
}
