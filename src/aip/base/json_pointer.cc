#include "aip/base/json_pointer.h"

#include <algorithm>
#include <charconv>

namespace aip::json {

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapePointerToken(std::string_view token) {
  std::string out(token);
  for (std::size_t p = 0; (p = out.find("~1", p)) != std::string::npos; ++p) out.replace(p, 2, "/");
  for (std::size_t p = 0; (p = out.find("~0", p)) != std::string::npos; ++p) out.replace(p, 2, "~");
  return out;
}

const Value* AtPointer(const Value& root, std::string_view pointer) {
  const Value* at = &root;
  if (pointer.empty()) return at;
  if (pointer.front() != '/') return nullptr;
  std::string_view rest = pointer.substr(1);
  while (at != nullptr) {
    std::size_t slash = rest.find('/');
    std::string token = UnescapePointerToken(rest.substr(0, slash));
    if (at->is_object()) {
      at = at->get_object().if_contains(token);
    } else if (at->is_array()) {
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      bool digits = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
      at = digits && ec == std::errc() && end == token.data() + token.size() && index < at->get_array().size() ? &at->get_array()[index]
                                                                                                               : nullptr;
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return at;
}

}  // namespace aip::json
