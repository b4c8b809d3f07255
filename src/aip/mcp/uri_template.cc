#include "aip/mcp/uri_template.h"

namespace aip::mcp {

Result<UriTemplate> UriTemplate::Parse(std::string_view text) {
  UriTemplate t;
  t.text_ = std::string(text);
  std::string lit;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') return InvalidArgumentError("URI template: unmatched '}'");
    if (text[i] != '{') {
      lit += text[i];
      continue;
    }
    std::size_t end = text.find('}', i);
    if (end == std::string_view::npos) return InvalidArgumentError("URI template: unclosed '{'");
    std::string name(text.substr(i + 1, end - i - 1));
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos) {
      return InvalidArgumentError("URI template: unsupported expression {" + name + "}");
    }
    if (!t.vars_.empty() && lit.empty()) return InvalidArgumentError("URI template: adjacent variables");
    t.literals_.push_back(std::move(lit));
    lit.clear();
    t.vars_.push_back(std::move(name));
    i = end;
  }
  t.literals_.push_back(std::move(lit));
  return t;
}

std::optional<std::map<std::string, std::string>> UriTemplate::Match(std::string_view uri) const {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    if (uri.substr(pos, literals_[i].size()) != literals_[i]) return std::nullopt;
    pos += literals_[i].size();
    const std::string& next = literals_[i + 1];
    std::size_t end = next.empty() ? uri.size() : uri.find(next, pos);
    if (end == std::string_view::npos || end == pos) return std::nullopt;
    std::string_view value = uri.substr(pos, end - pos);
    if (value.find('/') != std::string_view::npos) return std::nullopt;
    // A variable used twice must bind the same value both times.
    auto [it, inserted] = out.emplace(vars_[i], std::string(value));
    if (!inserted && it->second != value) return std::nullopt;
    pos = end;
  }
  if (uri.substr(pos) != literals_.back()) return std::nullopt;
  return out;
}

std::string UriTemplate::Expand(const std::map<std::string, std::string>& vars) const {
  std::string out;
  for (std::size_t i = 0; i < vars_.size(); ++i) {
    out += literals_[i];
    auto it = vars.find(vars_[i]);
    if (it != vars.end()) out += it->second;
  }
  return out + literals_.back();
}

}  // namespace aip::mcp
