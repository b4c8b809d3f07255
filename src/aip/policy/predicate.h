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
  // Holds is false for a missing argument, except for `exists = false`.
  bool Holds(const json::Object* arguments) const;
  // Describe says what the predicate requires, values included: "/project must be one of
  // [\"project-a\"]" — for an operator who chose to reveal the policy to callers.
  std::string Describe() const;
};

// ResolvePointer returns the value at RFC 6901 pointer `pointer` in `object`, or nullptr.
const json::Value* ResolvePointer(const json::Object& object, std::string_view pointer);

using ::aip::Glob;  // base/glob.h

}  // namespace aip::policy
