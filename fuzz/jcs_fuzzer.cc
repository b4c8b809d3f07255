// JCS is idempotent: canonicalizing canonical bytes gives the same bytes.
#include <cstdint>
#include <string_view>

#include "aip/base/jcs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = aip::json::CanonicalizeText(text);
  if (c) {
    auto again = aip::json::CanonicalizeText(*c);
    if (!again || *again != *c) __builtin_trap();
  }
  return 0;
}
