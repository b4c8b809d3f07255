// Strict JSON parsing on Boost.JSON, and small typed accessors for untrusted documents.
//
// ParseJson is the only way untrusted JSON enters libaip. It rejects, with a message naming the
// problem and its byte offset: duplicate object keys (parser differentials let an attacker show
// one value to a verifier and another to a handler), invalid UTF-8, lone surrogate escapes,
// NaN/Infinity, numbers outside the range of an IEEE double, nesting deeper than the limit, and
// input larger than the limit. Numbers that are not integers are re-read with a correctly rounded
// conversion so that every verifier sees the same double.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include "aip/base/status.h"

namespace aip::json {

using Value = boost::json::value;
using Object = boost::json::object;
using Array = boost::json::array;
using String = boost::json::string;

struct ParseLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_depth = 64;
};

// ParseJson returns the document, or kInvalidArgument (kResourceExhausted for size) with a
// message "JSON: <problem> at byte <offset>".
Result<Value> ParseJson(std::string_view text, const ParseLimits& limits = {});

// ParseJsonObject is ParseJson that also requires the top level to be an object.
Result<Object> ParseJsonObject(std::string_view text, const ParseLimits& limits = {});

// Serialize returns compact JSON text (not canonical; use Canonicalize for signed bytes).
std::string Serialize(const Value& value);

// OptionalString peeks at a string member (nullopt when absent or not a string), for members
// that only route a message, such as its "method". Members a program reads and relies on are
// read with json::FieldReader (base/field_reader.h): typed, bounded, errors by pointer.
std::optional<std::string_view> OptionalString(const Object& obj, std::string_view key);

}  // namespace aip::json
