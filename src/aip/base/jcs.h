// RFC 8785 JSON Canonicalization Scheme (JCS): the bytes that aip signs for every JSON document.
//
// Keys are sorted by UTF-16 code units, strings use the minimal ECMAScript escaping, and numbers
// use the ECMAScript Number-to-String algorithm (shortest round-trip digits; exponent form outside
// [1e-6, 1e21)). The input is a parsed value: parse untrusted text with ParseJson first, so
// duplicate keys and invalid UTF-8 never reach the canonicalizer.
#pragma once

#include <string>
#include <string_view>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::json {

// Canonicalize returns the RFC 8785 serialization of `value`, or kInvalidArgument for a
// non-finite number.
Result<std::string> Canonicalize(const Value& value);
Result<std::string> Canonicalize(const Object& object);  // Same, without wrapping (no copy).

// CanonicalizeText parses `text` strictly and canonicalizes it.
Result<std::string> CanonicalizeText(std::string_view text, const ParseLimits& limits = {});

// FormatNumber writes a finite double as ECMAScript's Number.prototype.toString() does.
std::string FormatNumber(double value);

// SerializeCompact writes `value` in member order with JCS string escaping and ECMAScript number
// formatting (what JSON.stringify prints); non-finite numbers become null. json::Serialize uses it.
std::string SerializeCompact(const Value& value);

// SerializePythonSorted reproduces Python's
// json.dumps(v, sort_keys=True, separators=(",", ":")) for documents of strings, integers,
// booleans, null, arrays and objects: the bytes that the Python AIP project signs. Non-ASCII
// characters are escaped as \uXXXX. Fails on non-integer numbers, which that format spells
// differently from JSON.
Result<std::string> SerializePythonSorted(const Value& value);

}  // namespace aip::json
