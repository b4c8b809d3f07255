#include "aip/policy/policy.h"

#include <fnmatch.h>
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <optional>

// Header-only and without exceptions: parse errors come back as values (Debian's shared
// library is built with exceptions, so it is not linked).
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

namespace aip::policy {

enum class Op { kEq, kNe, kIn, kPrefix, kGlob, kRegex, kLt, kLe, kGt, kGe, kExists };

struct Predicate {
  std::string pointer;
  Op op = Op::kEq;
  json::Value value;
  std::shared_ptr<re2::RE2> regex;
};

struct Policy::Rule {
  std::string id;
  bool allow = false;
  std::vector<std::string> principals, kinds, roles, scopes, upstreams, actions, targets;
  std::vector<Predicate> when;
  std::string reason;
};

namespace {

bool IsNumber(const json::Value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }
double Num(const json::Value& v) {
  return v.is_int64() ? static_cast<double>(v.get_int64())
                      : v.is_uint64() ? static_cast<double>(v.get_uint64()) : v.get_double();
}
// AsNumber reads a number, or a string that is exactly a decimal number: an upstream may
// coerce "5000" to 5000, so a rule about amounts must see it as one (no bypass by quoting).
std::optional<double> AsNumber(const json::Value& v) {
  if (IsNumber(v)) return Num(v);
  if (!v.is_string()) return std::nullopt;
  std::string_view s = v.get_string();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
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
bool Glob(const std::string& pattern, std::string_view s) {
  return ::fnmatch(pattern.c_str(), std::string(s).c_str(), 0) == 0;
}
bool AnyGlob(const std::vector<std::string>& patterns, std::string_view s) {
  for (const auto& p : patterns) {
    if (Glob(p, s)) return true;
  }
  return false;
}
bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  for (const auto& w : wanted) {
    for (const auto& h : have) {
      if (w == h) return true;
    }
  }
  return false;
}
std::string_view KindName(mcp::Principal::Kind k) {
  switch (k) {
    case mcp::Principal::Kind::kAnonymous: return "anonymous";
    case mcp::Principal::Kind::kAgent: return "agent";
    case mcp::Principal::Kind::kApiKey: return "api_key";
    case mcp::Principal::Kind::kUser: return "user";
  }
  return "anonymous";
}

bool Holds(const Predicate& p, const json::Object* args) {
  const json::Value* v = args == nullptr ? nullptr : ResolvePointer(*args, p.pointer);
  if (p.op == Op::kExists) return (v != nullptr) == p.value.as_bool();
  if (v == nullptr) return false;  // A missing argument satisfies no comparison.
  switch (p.op) {
    case Op::kEq: return JsonEqual(*v, p.value);
    case Op::kNe: return !JsonEqual(*v, p.value);
    case Op::kIn:
      for (const auto& e : p.value.as_array()) {
        if (JsonEqual(*v, e)) return true;
      }
      return false;
    case Op::kPrefix: return v->is_string() && std::string_view(v->get_string()).starts_with(p.value.as_string());
    case Op::kGlob: return v->is_string() && Glob(std::string(p.value.as_string()), v->get_string());
    case Op::kRegex: {
      if (!v->is_string()) return false;
      std::string_view s = v->get_string();
      return re2::RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *p.regex);
    }
    case Op::kLt: return AsNumber(*v) && *AsNumber(*v) < Num(p.value);
    case Op::kLe: return AsNumber(*v) && *AsNumber(*v) <= Num(p.value);
    case Op::kGt: return AsNumber(*v) && *AsNumber(*v) > Num(p.value);
    case Op::kGe: return AsNumber(*v) && *AsNumber(*v) >= Num(p.value);
    case Op::kExists: break;
  }
  return false;
}

bool Matches(const Policy::Rule& r, const Request& q) {
  const mcp::Principal* p = q.principal;
  std::string_view id = p != nullptr ? std::string_view(p->id) : std::string_view();
  if (!r.principals.empty() && (p == nullptr || !AnyGlob(r.principals, id))) return false;
  if (!r.kinds.empty()) {
    std::string_view k = KindName(p != nullptr ? p->kind : mcp::Principal::Kind::kAnonymous);
    if (std::find(r.kinds.begin(), r.kinds.end(), k) == r.kinds.end()) return false;
  }
  if (!r.roles.empty() && (p == nullptr || !AnyOf(r.roles, p->roles))) return false;
  if (!r.scopes.empty() && (p == nullptr || !AnyOf(r.scopes, p->scopes))) return false;
  if (!r.upstreams.empty() && !AnyGlob(r.upstreams, q.upstream)) return false;
  if (!r.actions.empty() && std::find(r.actions.begin(), r.actions.end(), q.action) == r.actions.end()) return false;
  if (!r.targets.empty() && !AnyGlob(r.targets, q.target)) return false;
  for (const auto& pred : r.when) {
    if (!Holds(pred, q.arguments)) return false;
  }
  return true;
}

json::Value TomlToJson(const toml::node& n) {
  if (auto s = n.value<std::string>()) return json::Value(*s);
  if (n.is_integer()) return json::Value(*n.value<std::int64_t>());
  if (n.is_floating_point()) return json::Value(*n.value<double>());
  if (auto b = n.value<bool>()) return json::Value(*b);
  if (const toml::array* a = n.as_array()) {
    json::Array out;
    for (const auto& e : *a) out.push_back(TomlToJson(e));
    return out;
  }
  return nullptr;
}

std::string Where(std::string_view source, const toml::node& n) {
  return std::string(source) + ":" + std::to_string(n.source().begin.line);
}

Result<std::vector<std::string>> Strings(const toml::table& t, std::string_view key, std::string_view where) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return InvalidArgumentError(std::string(where) + ": \"" + std::string(key) + "\" must be an array of strings");
  for (const auto& e : *a) {
    auto s = e.value<std::string>();
    if (!s) return InvalidArgumentError(std::string(where) + ": \"" + std::string(key) + "\" must be an array of strings");
    out.push_back(*s);
  }
  return out;
}

Result<Op> ParseOp(std::string_view s) {
  static const std::pair<std::string_view, Op> kOps[] = {
      {"eq", Op::kEq}, {"ne", Op::kNe}, {"in", Op::kIn}, {"prefix", Op::kPrefix}, {"glob", Op::kGlob},
      {"regex", Op::kRegex}, {"lt", Op::kLt}, {"le", Op::kLe}, {"gt", Op::kGt}, {"ge", Op::kGe}, {"exists", Op::kExists}};
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
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    if (obj != nullptr) {
      cur = obj->if_contains(token);
    } else if (arr != nullptr) {
      std::size_t idx = 0;
      if (token.empty() || (token.size() > 1 && token[0] == '0') ||
          std::from_chars(token.data(), token.data() + token.size(), idx).ptr != token.data() + token.size() ||
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

Result<Policy> Policy::FromToml(std::string_view text, std::string_view source) {
  toml::parse_result parsed = toml::parse(text, source);
  if (!parsed) {
    const auto& e = parsed.error();
    return InvalidArgumentError(std::string(source) + ":" + std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  const toml::table& root = parsed.table();
  for (const auto& [k, v] : root) {
    if (k.str() != "rule") return InvalidArgumentError(Where(source, v) + ": unknown field \"" + std::string(k.str()) + "\"");
  }
  Policy policy;
  const toml::array* rules = root["rule"].as_array();
  if (rules == nullptr) return policy;  // No rules: everything is denied.
  static const char* kFields[] = {"id", "effect", "principals", "kinds", "roles", "scopes", "upstreams", "actions",
                                  "targets", "when", "reason"};
  for (const auto& node : *rules) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return InvalidArgumentError(Where(source, node) + ": rule must be a table");
    auto rule = std::make_shared<Rule>();
    std::string where = Where(source, node);
    auto id = (*t)["id"].value<std::string>();
    if (!id || id->empty()) return InvalidArgumentError(where + ": rule needs an \"id\"");
    rule->id = *id;
    where += ": rule \"" + rule->id + "\"";
    for (const auto& [k, v] : *t) {
      if (std::find(std::begin(kFields), std::end(kFields), k.str()) == std::end(kFields)) {
        return InvalidArgumentError(Where(source, v) + ": rule \"" + rule->id + "\": unknown field \"" + std::string(k.str()) + "\"");
      }
    }
    for (const auto& other : policy.rules_) {
      if (other->id == rule->id) return InvalidArgumentError(where + ": duplicate rule id");
    }
    auto effect = (*t)["effect"].value<std::string>();
    if (!effect || (*effect != "allow" && *effect != "deny")) {
      return InvalidArgumentError(where + ": \"effect\" must be \"allow\" or \"deny\"");
    }
    rule->allow = *effect == "allow";
    rule->reason = (*t)["reason"].value<std::string>().value_or("");
    AIP_ASSIGN_OR_RETURN(rule->principals, Strings(*t, "principals", where));
    AIP_ASSIGN_OR_RETURN(rule->kinds, Strings(*t, "kinds", where));
    AIP_ASSIGN_OR_RETURN(rule->roles, Strings(*t, "roles", where));
    AIP_ASSIGN_OR_RETURN(rule->scopes, Strings(*t, "scopes", where));
    AIP_ASSIGN_OR_RETURN(rule->upstreams, Strings(*t, "upstreams", where));
    AIP_ASSIGN_OR_RETURN(rule->actions, Strings(*t, "actions", where));
    AIP_ASSIGN_OR_RETURN(rule->targets, Strings(*t, "targets", where));
    for (const auto& k : rule->kinds) {
      if (k != "agent" && k != "api_key" && k != "user" && k != "anonymous") {
        return InvalidArgumentError(where + ": unknown kind \"" + k + "\"");
      }
    }
    if (const toml::node* w = t->get("when")) {
      const toml::array* preds = w->as_array();
      if (preds == nullptr) return InvalidArgumentError(where + ": \"when\" must be an array of tables");
      for (const auto& pn : *preds) {
        const toml::table* pt = pn.as_table();
        if (pt == nullptr) return InvalidArgumentError(Where(source, pn) + ": a \"when\" entry must be a table");
        Predicate p;
        auto pointer = (*pt)["pointer"].value<std::string>();
        auto op = (*pt)["op"].value<std::string>();
        if (!pointer || pointer->empty() || (*pointer)[0] != '/') {
          return InvalidArgumentError(where + ": \"pointer\" must be a JSON Pointer such as \"/project\"");
        }
        if (!op) return InvalidArgumentError(where + ": predicate needs an \"op\"");
        auto parsed_op = ParseOp(*op);
        if (!parsed_op) return InvalidArgumentError(where + ": " + parsed_op.error().message);
        p.pointer = *pointer;
        p.op = *parsed_op;
        const toml::node* value = pt->get("value");
        if (value == nullptr) return InvalidArgumentError(where + ": predicate needs a \"value\"");
        p.value = TomlToJson(*value);
        bool ok = true;
        switch (p.op) {
          case Op::kIn: ok = p.value.is_array(); break;
          case Op::kPrefix:
          case Op::kGlob: ok = p.value.is_string(); break;
          case Op::kRegex:
            ok = p.value.is_string();
            if (ok) {
              re2::RE2::Options o;
              o.set_log_errors(false);
              p.regex = std::make_shared<re2::RE2>(std::string(p.value.as_string()), o);
              ok = p.regex->ok();
            }
            break;
          case Op::kLt:
          case Op::kLe:
          case Op::kGt:
          case Op::kGe: ok = IsNumber(p.value); break;
          case Op::kExists: ok = p.value.is_bool(); break;
          default: break;
        }
        if (!ok) return InvalidArgumentError(where + ": bad \"value\" for op \"" + *op + "\"");
        rule->when.push_back(std::move(p));
      }
    }
    policy.rules_.push_back(std::move(rule));
  }
  return policy;
}

Decision Policy::Evaluate(const Request& request) const {
  const Rule* allow = nullptr;
  for (const auto& r : rules_) {
    if (!Matches(*r, request)) continue;
    if (!r->allow) return Decision{false, r->id, r->reason.empty() ? "denied by rule " + r->id : r->reason};
    if (allow == nullptr) allow = r.get();
  }
  if (allow != nullptr) return Decision{true, allow->id, allow->reason.empty() ? "allowed by rule " + allow->id : allow->reason};
  return Decision{false, "", "no rule allows this request"};
}

std::size_t Policy::size() const { return rules_.size(); }

}  // namespace aip::policy
