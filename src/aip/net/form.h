// application/x-www-form-urlencoded: query strings and form bodies. Parsing is strict because the
// values decide what a server does: a parameter may appear only once (RFC 6749 §3.1), and a
// malformed escape or a NUL byte is an error, not a guess.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "aip/base/status.h"

namespace aip::net {

// FormEncode percent-encodes a value (everything but ALPHA DIGIT - . _ ~).
std::string FormEncode(std::string_view value);
// ParseForm decodes "a=1&b=x+y" ('+' is a space). Repeated names, bad escapes, NUL bytes and
// more than 64 parameters are refused.
Result<std::map<std::string, std::string>> ParseForm(std::string_view text);
// PercentDecode decodes a path segment ('+' stays '+'); bad escapes and NUL bytes are refused.
Result<std::string> PercentDecode(std::string_view text);

}  // namespace aip::net
