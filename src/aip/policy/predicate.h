// Argument predicates of policy rules: a JSON Pointer into the arguments, an operator and a
// value. Matching is strict so that arguments cannot be slipped past a rule (see policy.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aip/base/glob.h"
#include "aip/base/json.h"
#include "aip/base/status.h"

namespace re2 {
class RE2;
}

namespace aip::policy {

enum class Op { kEq, kNe, kIn, kPrefix, kGlob, kRegex, kLt, kLe, kGt, kGe, kExists };

struct Predicate {
  std::string pointer;
  Op op = Op::kEq;
  json::Value value;
  std::shared_ptr<const re2::RE2> regex;

  // Parse reads {pointer, op, value}; the error names the problem (the caller adds the place).
  static Result<Predicate> Parse(const json::Object& spec);
  // Truth is what a predicate says of the arguments: kUnknown when the argument is there but its
  // value cannot be read as the predicate's type (a string that is no plain decimal number for
  // lt/le/gt/ge or a comparison with a number; a non-string for prefix/glob/regex). Rules fail
  // closed on it: an allow rule does not match, a deny rule does (docs/policy.md).
  enum class Truth { kFalse, kTrue, kUnknown };
  // Evaluate is kFalse for a missing argument, except for `exists = false`.
  Truth Evaluate(const json::Object* arguments) const;
  bool Holds(const json::Object* arguments) const { return Evaluate(arguments) == Truth::kTrue; }
  // Describe says what the predicate requires, values included: "/project must be one of
  // [\"project-a\"]" — for an operator who chose to reveal the policy to callers.
  std::string Describe() const;
};

// ResolvePointer returns the value at RFC 6901 pointer `pointer` in `object`, or nullptr.
const json::Value* ResolvePointer(const json::Object& object, std::string_view pointer);

using ::aip::Glob;  // base/glob.h

}  // namespace aip::policy
