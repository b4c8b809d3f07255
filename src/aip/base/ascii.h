// ASCII case folding for protocol tokens (header names, schemes, host names, media types).
// Locale-independent on purpose: std::tolower follows the C locale, and a protocol comparison
// must not change with it.
#pragma once

#include <string>
#include <string_view>

namespace aip {

inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

}  // namespace aip
