// Strict JSON parsing never crashes; an accepted document re-serializes and re-parses to the same
// JSON value (compared canonically: 5.0 and 5 are the same JSON number).
#include <cstdint>
#include <string_view>

#include "aip/base/jcs.h"
#include "aip/base/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = aip::json::ParseJson(text);
  if (v) {
    auto again = aip::json::ParseJson(aip::json::Serialize(*v));
    if (!again || aip::json::Canonicalize(*again).value() != aip::json::Canonicalize(*v).value()) __builtin_trap();
  }
  return 0;
}
