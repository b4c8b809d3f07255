// Glob matches shell-style patterns (*, ?, [...]) case-sensitively; "*" also matches "/". Policy
// targets and trust scopes ("tools:tasks.*") use it.
#pragma once

#include <string_view>

namespace aip {

bool Glob(std::string_view pattern, std::string_view s);

}  // namespace aip
