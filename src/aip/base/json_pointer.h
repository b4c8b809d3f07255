// JSON Pointer (RFC 6901): escaping one reference token, and following a pointer into a value.
#pragma once
#include <string>
#include <string_view>

#include "aip/base/json.h"

namespace aip::json {

// EscapePointerToken: "~" → "~0", "/" → "~1".
std::string EscapePointerToken(std::string_view token);
// UnescapePointerToken undoes it ("~1" → "/" first, then "~0" → "~").
std::string UnescapePointerToken(std::string_view token);
// AtPointer follows `pointer` ("" is the whole value, "/a/0/b") through objects and arrays
// (decimal indices); null when any step is missing.
const Value* AtPointer(const Value& root, std::string_view pointer);

}  // namespace aip::json
