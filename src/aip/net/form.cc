#include "aip/net/form.h"

#include <cctype>

namespace aip::net {
namespace {

constexpr std::size_t kMaxParameters = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Unescape(std::string_view text, bool plus_is_space = true) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%') {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
      if (lo < 0) return InvalidArgumentError("a malformed percent escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  if (out.find('\0') != std::string::npos) return InvalidArgumentError("a NUL byte in a parameter");
  return out;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text) { return Unescape(text, false); }

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> ParseForm(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    AIP_ASSIGN_OR_RETURN(std::string name, Unescape(pair.substr(0, eq)));
    AIP_ASSIGN_OR_RETURN(std::string value, Unescape(eq == std::string_view::npos ? "" : pair.substr(eq + 1)));
    if (name.empty()) return InvalidArgumentError("a parameter without a name");
    if (out.size() == kMaxParameters) return InvalidArgumentError("too many parameters");
    if (!out.emplace(std::move(name), std::move(value)).second) return InvalidArgumentError("a repeated parameter");
  }
  return out;
}

}  // namespace aip::net
