// base58btc, base64url, base64 and hex decoders: never crash, and every accepted input is the
// one canonical spelling of its bytes (decode then encode gives the input back).
#include <cstdint>
#include <string_view>

#include "aip/base/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto b = aip::Base58Decode(text); b && aip::Base58Encode(*b) != text) __builtin_trap();
  if (auto b = aip::Base64UrlDecode(text); b && aip::Base64UrlEncode(*b) != text) __builtin_trap();
  if (auto b = aip::Base64Decode(text); b && aip::Base64Encode(*b) != text) __builtin_trap();
  if (auto b = aip::HexDecode(text); b && aip::HexDecode(aip::HexEncode(*b)).value() != *b) __builtin_trap();
  return 0;
}
