#include "aip/gateway/pipeline/trace_context.h"

#include <array>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"

namespace aip::gateway {
namespace {

bool IsHex(std::string_view s, std::size_t n) { return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

}  // namespace

TraceContext ContinueTrace(std::optional<std::string_view> traceparent) {
  TraceContext t;
  if (traceparent && traceparent->size() == 55) {
    std::string_view s = *traceparent;
    if (s.substr(0, 3) == "00-" && IsHex(s.substr(3, 32), 32) && s[35] == '-' && IsHex(s.substr(36, 16), 16) && s[52] == '-' &&
        IsHex(s.substr(53, 2), 2) && s.substr(3, 32) != std::string(32, '0')) {
      t.trace_id = std::string(s.substr(3, 32));
    }
  }
  std::array<std::uint8_t, 24> ids;  // A trace id (if none came) and this hop's span id.
  crypto::FillIdentifierRandom(ids);
  if (t.trace_id.empty()) t.trace_id = HexEncode(std::span(ids).first(16));
  t.span_id = HexEncode(std::span(ids).last(8));
  t.child = "00-" + t.trace_id + "-" + t.span_id + "-01";
  return t;
}

}  // namespace aip::gateway
