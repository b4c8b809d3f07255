// RFC 6570 level-1 URI templates ("task://{project}/{id}"): expansion and matching, enough for
// MCP resource templates. A variable matches one or more characters other than '/'.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/status.h"

namespace aip::mcp {

class UriTemplate {
 public:
  static Result<UriTemplate> Parse(std::string_view text);
  std::optional<std::map<std::string, std::string>> Match(std::string_view uri) const;
  std::string Expand(const std::map<std::string, std::string>& vars) const;
  const std::vector<std::string>& variables() const { return vars_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> literals_;  // literals_[i] precedes vars_[i]; one extra at the end.
  std::vector<std::string> vars_;
};

}  // namespace aip::mcp
