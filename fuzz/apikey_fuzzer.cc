// API key text arrives in a header from anyone. ParseKey must refuse or accept any input without
// undefined behaviour; what it accepts must format back to the same text and hash cleanly.
#include <cstdint>
#include <string_view>

#include "aip/apikeys/api_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aip::crypto::HmacSha256Key kHashKey(aip::Bytes(32, 7));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = aip::apikeys::ParseKey(text);
  if (key) {
    if (aip::apikeys::FormatKey(*key) != text) __builtin_trap();
    if (aip::apikeys::KeyHash(kHashKey, *key).size() != 32) __builtin_trap();
  }
  return 0;
}
