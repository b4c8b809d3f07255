#include "aip/base/display_text.h"

#include <cstdint>
#include <cstdio>

namespace aip {
namespace {

// Decode one UTF-8 sequence at `i`; nothing for a malformed, overlong or surrogate one.
std::optional<char32_t> Decode(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  int extra = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size() + (extra == 0 ? 1 : 0)) return std::nullopt;
  char32_t c = extra == 0 ? b : b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char n = byte(i + static_cast<std::size_t>(k));
    if ((n & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (n & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (c < kMin[extra] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
  i += static_cast<std::size_t>(extra) + 1;
  return c;
}

const char* Kind(char32_t c) {
  if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) return "a control character";
  if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
    return "a bidirectional control";
  }
  if (c == 0x2028 || c == 0x2029) return "a line or paragraph separator";
  if ((c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF || c == 0x00AD || c == 0x034F || c == 0x180E ||
      c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xE0000 && c <= 0xE007F)) {
    return "an invisible character";
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> UnsafeDisplayCharacter(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = Decode(text, i);
    if (!c) return std::string("text that is not UTF-8");
    if (const char* kind = Kind(*c)) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(*c));
      return std::string(code) + ", " + kind;
    }
  }
  return std::nullopt;
}

}  // namespace aip
