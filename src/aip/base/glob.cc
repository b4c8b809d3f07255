#include "aip/base/glob.h"

#include <fnmatch.h>

#include <string>

namespace aip {

bool Glob(std::string_view pattern, std::string_view s) {
  // fnmatch needs NUL-terminated strings; a NUL inside either can never match.
  if (pattern.find('\0') != std::string_view::npos || s.find('\0') != std::string_view::npos) return false;
  return ::fnmatch(std::string(pattern).c_str(), std::string(s).c_str(), 0) == 0;
}

}  // namespace aip
