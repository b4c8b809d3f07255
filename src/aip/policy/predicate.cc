#include "aip/policy/predicate.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <optional>

namespace aip::policy {
namespace {

bool IsNumber(const json::Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double Num(const json::Value& v) {
  return v.is_int64() ? static_cast<double>(v.get_int64()) : v.is_uint64() ? static_cast<double>(v.get_uint64()) : v.get_double();
}

// AsNumber reads a number, or a string that is exactly a decimal number: an upstream may
// coerce "5000" to 5000, so a rule about amounts must see it as one (no bypass by quoting).
std::optional<double> AsNumber(const json::Value& v) {
  if (IsNumber(v)) return Num(v);
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_string();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double d = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

bool JsonEqual(const json::Value& arg, const json::Value& rule_value) {
  if (IsNumber(rule_value)) {
    auto n = AsNumber(arg);
    return n && *n == Num(rule_value);
  }
  return arg == rule_value;
}

Result<Op> ParseOp(std::string_view s) {
  static const std::pair<std::string_view, Op> kOps[] = {
      {"eq", Op::kEq}, {"ne", Op::kNe}, {"in", Op::kIn}, {"prefix", Op::kPrefix}, {"glob", Op::kGlob},    {"regex", Op::kRegex},
      {"lt", Op::kLt}, {"le", Op::kLe}, {"gt", Op::kGt}, {"ge", Op::kGe},         {"exists", Op::kExists}};
  for (const auto& [name, op] : kOps) {
    if (name == s) return op;
  }
  return InvalidArgumentError("unknown op \"" + std::string(s) + "\"");
}

}  // namespace

const json::Value* ResolvePointer(const json::Object& object, std::string_view pointer) {
  if (pointer.empty() || pointer[0] != '/') return nullptr;
  const json::Value* cur = nullptr;
  const json::Object* obj = &object;
  const json::Array* arr = nullptr;
  std::size_t i = 1;
  while (true) {
    std::size_t slash = pointer.find('/', i);
    std::string token(pointer.substr(i, slash == std::string_view::npos ? std::string_view::npos : slash - i));
    std::string decoded;
    for (std::size_t k = 0; k < token.size(); ++k) {
      if (token[k] == '~' && k + 1 < token.size() && (token[k + 1] == '0' || token[k + 1] == '1')) {
        decoded += token[k + 1] == '0' ? '~' : '/';
        ++k;
      } else {
        decoded += token[k];
      }
    }
    if (obj != nullptr) {
      cur = obj->if_contains(decoded);
    } else if (arr != nullptr) {
      std::size_t idx = 0;
      if (decoded.empty() || (decoded.size() > 1 && decoded[0] == '0') ||
          std::from_chars(decoded.data(), decoded.data() + decoded.size(), idx).ptr != decoded.data() + decoded.size() ||
          idx >= arr->size()) {
        return nullptr;
      }
      cur = &(*arr)[idx];
    } else {
      return nullptr;
    }
    if (cur == nullptr) return nullptr;
    if (slash == std::string_view::npos) return cur;
    obj = cur->is_object() ? &cur->get_object() : nullptr;
    arr = cur->is_array() ? &cur->get_array() : nullptr;
    i = slash + 1;
  }
}

Result<Predicate> Predicate::Parse(const json::Object& spec) {
  for (const auto& [k, v] : spec) {
    if (k != "pointer" && k != "op" && k != "value") return InvalidArgumentError("unknown predicate field \"" + std::string(k) + "\"");
  }
  Predicate p;
  const json::Value* pointer = spec.if_contains("pointer");
  const json::Value* op = spec.if_contains("op");
  const json::Value* value = spec.if_contains("value");
  if (pointer == nullptr || !pointer->is_string() || pointer->get_string().empty() || pointer->get_string()[0] != '/') {
    return InvalidArgumentError("\"pointer\" must be a JSON Pointer such as \"/project\"");
  }
  if (op == nullptr || !op->is_string()) return InvalidArgumentError("predicate needs an \"op\"");
  if (value == nullptr) return InvalidArgumentError("predicate needs a \"value\"");
  AIP_ASSIGN_OR_RETURN(p.op, ParseOp(op->get_string()));
  p.pointer = std::string(pointer->get_string());
  p.value = *value;
  bool ok = true;
  switch (p.op) {
    case Op::kIn:
      ok = p.value.is_array();
      break;
    case Op::kPrefix:
    case Op::kGlob:
      ok = p.value.is_string();
      break;
    case Op::kRegex:
      ok = p.value.is_string();
      if (ok) {
        re2::RE2::Options o;
        o.set_log_errors(false);
        auto re = std::make_shared<re2::RE2>(std::string(p.value.get_string()), o);
        ok = re->ok();
        p.regex = std::move(re);
      }
      break;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
      ok = IsNumber(p.value);
      break;
    case Op::kExists:
      ok = p.value.is_bool();
      break;
    default:
      break;
  }
  if (!ok) return InvalidArgumentError("bad \"value\" for op \"" + std::string(op->get_string()) + "\"");
  return p;
}

Predicate::Truth Predicate::Evaluate(const json::Object* args) const {
  const json::Value* v = args == nullptr ? nullptr : ResolvePointer(*args, pointer);
  auto truth = [](bool b) { return b ? Truth::kTrue : Truth::kFalse; };
  if (op == Op::kExists) return truth((v != nullptr) == value.get_bool());
  if (v == nullptr) return Truth::kFalse;  // A missing argument satisfies no comparison.
  // Against a number, the argument must read as one: a spelling we cannot read ("0x1000",
  // "1_000", "Infinity", an array) may be one an upstream reads as a large number.
  auto number = [&](const json::Value& rule_value) -> std::optional<double> { return IsNumber(rule_value) ? AsNumber(*v) : std::nullopt; };
  switch (op) {
    case Op::kEq:
    case Op::kNe: {
      if (IsNumber(value) && !number(value)) return Truth::kUnknown;
      bool equal = JsonEqual(*v, value);
      return truth(op == Op::kEq ? equal : !equal);
    }
    case Op::kIn: {
      bool unknown = false;
      for (const auto& e : value.get_array()) {
        if (IsNumber(e) && !number(e)) {
          unknown = true;
          continue;
        }
        if (JsonEqual(*v, e)) return Truth::kTrue;
      }
      return unknown ? Truth::kUnknown : Truth::kFalse;
    }
    case Op::kPrefix:
    case Op::kGlob:
    case Op::kRegex: {
      if (!v->is_string()) return Truth::kUnknown;
      std::string_view s = v->get_string();
      if (op == Op::kPrefix) return truth(s.starts_with(value.get_string()));
      if (op == Op::kGlob) return truth(Glob(value.get_string(), s));
      return truth(re2::RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *regex));
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      auto n = AsNumber(*v);
      if (!n) return Truth::kUnknown;
      double limit = Num(value);
      return truth(op == Op::kLt ? *n < limit : op == Op::kLe ? *n <= limit : op == Op::kGt ? *n > limit : *n >= limit);
    }
    case Op::kExists:
      break;
  }
  return Truth::kFalse;
}

std::string Predicate::Describe() const {
  std::string v = json::Serialize(value);
  switch (op) {
    case Op::kEq:
      return pointer + " must be " + v;
    case Op::kNe:
      return pointer + " must not be " + v;
    case Op::kIn:
      return pointer + " must be one of " + v;
    case Op::kPrefix:
      return pointer + " must start with " + v;
    case Op::kGlob:
      return pointer + " must match the pattern " + v;
    case Op::kRegex:
      return pointer + " must match the expression " + v;
    case Op::kLt:
      return pointer + " must be less than " + v;
    case Op::kLe:
      return pointer + " must be at most " + v;
    case Op::kGt:
      return pointer + " must be greater than " + v;
    case Op::kGe:
      return pointer + " must be at least " + v;
    case Op::kExists:
      return pointer + (value == json::Value(false) ? " must be absent" : " must be present");
  }
  return pointer + " is not allowed";
}

}  // namespace aip::policy
