#include "aip/mcp/json_schema.h"

#include <re2/re2.h>

#include <cmath>

#include "aip/base/jcs.h"
#include "aip/base/json_pointer.h"

namespace aip::mcp {
namespace {

constexpr int kMaxDepth = 32;  // Bounds $ref cycles and nested combinators.

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsNumber(const json::Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double AsDouble(const json::Value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}
bool IsInteger(const json::Value& v) {
  return v.is_int64() || v.is_uint64() || (v.is_double() && std::trunc(v.get_double()) == v.get_double());
}

bool TypeMatches(std::string_view type, const json::Value& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "number") return IsNumber(v);
  if (type == "integer") return IsNumber(v) && IsInteger(v);
  if (type == "boolean") return v.is_bool();
  if (type == "null") return v.is_null();
  return false;
}

// Equal compares JSON values by canonical form (1 and 1.0 are the same number).
bool Equal(const json::Value& a, const json::Value& b) {
  if (IsNumber(a) && IsNumber(b)) return AsDouble(a) == AsDouble(b);
  auto ca = json::Canonicalize(a);
  auto cb = json::Canonicalize(b);
  return ca && cb && *ca == *cb;
}

Status CollectPatterns(const json::Value& s, std::map<std::string, std::shared_ptr<re2::RE2>>& out, int depth) {
  if (depth > 64) return InvalidArgumentError("schema nested too deeply");
  if (s.is_array()) {
    for (const auto& e : s.get_array()) AIP_RETURN_IF_ERROR(CollectPatterns(e, out, depth + 1));
    return OkStatus();
  }
  if (!s.is_object()) return OkStatus();
  for (const auto& kv : s.get_object()) {
    if (kv.key() == "pattern" && kv.value().is_string()) {
      std::string p(kv.value().get_string());
      if (!out.contains(p)) {
        re2::RE2::Options opts;
        opts.set_log_errors(false);
        auto re = std::make_shared<re2::RE2>(p, opts);
        if (!re->ok()) return InvalidArgumentError("schema pattern is not a valid regular expression");
        out.emplace(std::move(p), std::move(re));
      }
    } else if (kv.key() == "$ref") {
      if (!kv.value().is_string() || !kv.value().get_string().starts_with("#")) {
        return InvalidArgumentError("schema $ref must be local (\"#/...\"); remote references are never fetched");
      }
    } else if (kv.key() != "enum" && kv.key() != "const" && kv.key() != "default" && kv.key() != "examples") {
      AIP_RETURN_IF_ERROR(CollectPatterns(kv.value(), out, depth + 1));
    }
  }
  return OkStatus();
}

}  // namespace

Result<JsonSchema> JsonSchema::Compile(const json::Value& schema) {
  if (!schema.is_object() && !schema.is_bool()) return InvalidArgumentError("schema must be an object or boolean");
  auto patterns = std::make_shared<std::map<std::string, std::shared_ptr<re2::RE2>>>();
  AIP_RETURN_IF_ERROR(CollectPatterns(schema, *patterns, 0));
  JsonSchema s;
  s.schema_ = std::make_shared<const json::Value>(schema);
  s.patterns_ = std::move(patterns);
  return s;
}

Status JsonSchema::Validate(const json::Value& instance) const { return Check(*schema_, instance, "", 0); }

Status JsonSchema::ValidateAgainst(std::string_view ref, const json::Value& instance) const {
  const json::Value* target = Resolve(ref);
  if (target == nullptr) return NotFoundError("schema has no " + std::string(ref));
  return Check(*target, instance, "", 0);
}

const json::Value* JsonSchema::Resolve(std::string_view ref) const {
  if (ref == "#") return schema_.get();
  if (!ref.starts_with("#/")) return nullptr;
  return json::AtPointer(*schema_, ref.substr(1));
}

Status JsonSchema::Check(const json::Value& s, const json::Value& v, const std::string& path, int depth) const {
  auto fail = [&](const std::string& why) -> Status {
    return InvalidArgumentError((path.empty() ? std::string("value") : path.substr(1)) + ": " + why);
  };
  if (depth > kMaxDepth) return fail("schema nesting limit reached");
  if (s.is_bool()) return s.get_bool() ? OkStatus() : fail("not allowed");
  if (!s.is_object()) return OkStatus();
  const json::Object& o = s.get_object();

  if (const json::Value* ref = o.if_contains("$ref"); ref != nullptr && ref->is_string()) {
    const json::Value* target = Resolve(ref->get_string());
    if (target == nullptr) return fail("unresolvable $ref");
    AIP_RETURN_IF_ERROR(Check(*target, v, path, depth + 1));
  }
  if (const json::Value* t = o.if_contains("type")) {
    bool ok = false;
    if (t->is_string()) {
      ok = TypeMatches(t->get_string(), v);
    } else if (t->is_array()) {
      for (const auto& e : t->get_array()) ok = ok || (e.is_string() && TypeMatches(e.get_string(), v));
    }
    if (!ok) return fail("must be of type " + json::Serialize(*t));
  }
  if (const json::Value* c = o.if_contains("const"); c != nullptr && !Equal(*c, v)) {
    return fail("must equal " + json::Serialize(*c));
  }
  if (const json::Value* e = o.if_contains("enum"); e != nullptr && e->is_array()) {
    bool found = false;
    for (const auto& x : e->get_array()) found = found || Equal(x, v);
    if (!found) return fail("must be one of " + json::Serialize(*e));
  }
  if (IsNumber(v)) {
    double d = AsDouble(v);
    auto num = [&](const char* k) -> const json::Value* {
      const json::Value* x = o.if_contains(k);
      return x != nullptr && IsNumber(*x) ? x : nullptr;
    };
    if (auto* x = num("minimum"); x && d < AsDouble(*x)) return fail("must be >= " + json::Serialize(*x));
    if (auto* x = num("maximum"); x && d > AsDouble(*x)) return fail("must be <= " + json::Serialize(*x));
    if (auto* x = num("exclusiveMinimum"); x && d <= AsDouble(*x)) return fail("must be > " + json::Serialize(*x));
    if (auto* x = num("exclusiveMaximum"); x && d >= AsDouble(*x)) return fail("must be < " + json::Serialize(*x));
  }
  if (v.is_string()) {
    std::size_t n = CodePoints(v.get_string());
    if (const json::Value* x = o.if_contains("minLength"); x && x->is_int64() && n < static_cast<std::size_t>(x->get_int64())) {
      return fail("must be at least " + json::Serialize(*x) + " characters");
    }
    if (const json::Value* x = o.if_contains("maxLength"); x && x->is_int64() && n > static_cast<std::size_t>(x->get_int64())) {
      return fail("must be at most " + json::Serialize(*x) + " characters");
    }
    if (const json::Value* p = o.if_contains("pattern"); p != nullptr && p->is_string()) {
      auto it = patterns_->find(std::string(p->get_string()));
      std::string_view text = v.get_string();
      if (it == patterns_->end() || !re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *it->second)) {
        return fail("does not match the pattern");
      }
    }
  }
  if (v.is_array()) {
    const json::Array& a = v.get_array();
    if (const json::Value* x = o.if_contains("minItems"); x && x->is_int64() && a.size() < static_cast<std::size_t>(x->get_int64())) {
      return fail("must have at least " + json::Serialize(*x) + " items");
    }
    if (const json::Value* x = o.if_contains("maxItems"); x && x->is_int64() && a.size() > static_cast<std::size_t>(x->get_int64())) {
      return fail("must have at most " + json::Serialize(*x) + " items");
    }
    if (const json::Value* items = o.if_contains("items")) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        AIP_RETURN_IF_ERROR(Check(*items, a[i], path + "/" + std::to_string(i), depth + 1));
      }
    }
  }
  if (v.is_object()) {
    const json::Object& obj = v.get_object();
    if (const json::Value* req = o.if_contains("required"); req != nullptr && req->is_array()) {
      for (const auto& r : req->get_array()) {
        if (r.is_string() && !obj.contains(r.get_string())) {
          return fail("missing required property \"" + std::string(r.get_string()) + "\"");
        }
      }
    }
    const json::Value* props = o.if_contains("properties");
    const json::Value* additional = o.if_contains("additionalProperties");
    for (const auto& kv : obj) {
      std::string child = path + "/" + std::string(kv.key());
      const json::Value* ps = props != nullptr && props->is_object() ? props->get_object().if_contains(kv.key()) : nullptr;
      if (ps != nullptr) {
        AIP_RETURN_IF_ERROR(Check(*ps, kv.value(), child, depth + 1));
      } else if (additional != nullptr) {
        if (additional->is_bool() && !additional->get_bool()) {
          return fail("unexpected property \"" + std::string(kv.key()) + "\"");
        }
        AIP_RETURN_IF_ERROR(Check(*additional, kv.value(), child, depth + 1));
      }
    }
  }
  if (const json::Value* all = o.if_contains("allOf"); all != nullptr && all->is_array()) {
    for (const auto& sub : all->get_array()) AIP_RETURN_IF_ERROR(Check(sub, v, path, depth + 1));
  }
  if (const json::Value* any = o.if_contains("anyOf"); any != nullptr && any->is_array()) {
    bool ok = false;
    for (const auto& sub : any->get_array()) ok = ok || Check(sub, v, path, depth + 1).ok();
    if (!ok) return fail("does not match any allowed schema");
  }
  if (const json::Value* cond = o.if_contains("if")) {
    const json::Value* branch = Check(*cond, v, path, depth + 1).ok() ? o.if_contains("then") : o.if_contains("else");
    if (branch != nullptr) AIP_RETURN_IF_ERROR(Check(*branch, v, path, depth + 1));
  }
  if (const json::Value* one = o.if_contains("oneOf"); one != nullptr && one->is_array()) {
    int matches = 0;
    for (const auto& sub : one->get_array()) matches += Check(sub, v, path, depth + 1).ok() ? 1 : 0;
    if (matches != 1) return fail("must match exactly one allowed schema");
  }
  return OkStatus();
}

}  // namespace aip::mcp
