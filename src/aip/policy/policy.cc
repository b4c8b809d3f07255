#include "aip/policy/policy.h"

#include <algorithm>

#include "aip/policy/credential_condition.h"

namespace aip::policy {

struct Policy::Rule {
  std::string id;
  bool allow = false;
  std::vector<std::string> principals, subjects, clients, agents, kinds, roles, scopes, upstreams, actions, targets;
  std::vector<Predicate> when;
  std::vector<std::shared_ptr<const Condition>> require;
  std::string reason;
};

namespace {

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view s) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return Glob(p, s); });
}
bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  for (const auto& w : wanted) {
    if (std::find(have.begin(), have.end(), w) != have.end()) return true;
  }
  return false;
}
bool Contains(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// OutsideToolAllowlist: a credential limited to some tools (an API key created with --tools)
// calls one it is not limited to. This holds whatever the rules say: deny overrides allow.
bool OutsideToolAllowlist(const Request& q) {
  if (q.principal == nullptr || q.principal->tools.empty() || q.action != "tools/call") return false;
  return !AnyGlob(q.principal->tools, q.upstream + "." + q.target);
}

// ClientMatches: the client acting (a token's client_id or an actor of its "act" chain) is one
// of `patterns`.
bool ClientMatches(const std::vector<std::string>& patterns, const authn::Principal& p) {
  if (!p.client_id.empty() && AnyGlob(patterns, p.client_id)) return true;
  return std::any_of(p.actor_chain.begin(), p.actor_chain.end(), [&](const std::string& a) { return AnyGlob(patterns, a); });
}

// MatchesCallerAndTarget checks who calls and what it calls: everything but the conditions and
// the arguments.
bool MatchesCallerAndTarget(const Policy::Rule& r, const Request& q) {
  const authn::Principal* p = q.principal;
  bool anonymous = p == nullptr || p->kind == authn::Principal::Kind::kAnonymous;
  // An allow rule admits anonymous callers only when it names them; a deny rule without kinds
  // applies to everyone, anonymous callers included.
  if (!r.kinds.empty() ? !Contains(r.kinds, authn::KindName(anonymous ? authn::Principal::Kind::kAnonymous : p->kind))
                       : (anonymous && r.allow)) {
    return false;
  }
  if (!r.principals.empty() && (anonymous || !AnyGlob(r.principals, p->id))) return false;
  if (!r.subjects.empty() && (anonymous || p->subject.empty() || !AnyGlob(r.subjects, p->subject))) return false;
  if (!r.clients.empty() && (anonymous || !ClientMatches(r.clients, *p))) return false;
  if (!r.agents.empty() && (anonymous || p->did.empty() || !AnyGlob(r.agents, p->did))) return false;
  if (!r.roles.empty() && (anonymous || !AnyOf(r.roles, p->roles))) return false;
  if (!r.scopes.empty() && (anonymous || !AnyOf(r.scopes, p->scopes))) return false;
  if (!r.upstreams.empty() && !AnyGlob(r.upstreams, q.upstream)) return false;
  if (!r.actions.empty() && !Contains(r.actions, q.action)) return false;
  if (!r.targets.empty() && !AnyGlob(r.targets, q.target)) return false;
  return true;
}

// MatchesIdentity checks everything but the arguments.
bool MatchesIdentity(const Policy::Rule& r, const Request& q) {
  if (!MatchesCallerAndTarget(r, q)) return false;
  return std::all_of(r.require.begin(), r.require.end(), [&](const auto& c) { return c->Holds(q); });
}

// MatchesArguments fails closed: a predicate that cannot read its argument (Truth::kUnknown)
// makes an allow rule miss and a deny rule match.
bool MatchesArguments(const Policy::Rule& r, const Request& q) {
  return std::all_of(r.when.begin(), r.when.end(), [&](const Predicate& p) {
    Predicate::Truth t = p.Evaluate(q.arguments);
    return t == Predicate::Truth::kTrue || (!r.allow && t == Predicate::Truth::kUnknown);
  });
}

// RuleDescriber makes a rule's errors read `p.toml:4: rule "x": when[0].op: …`.
std::shared_ptr<const json::Describe> RuleDescriber(const toml::Document& doc, std::string rule_pointer, std::string id) {
  return std::make_shared<const json::Describe>(
      [&doc, rule_pointer = std::move(rule_pointer), id = std::move(id)](std::string_view pointer) {
        std::string inside = toml::DottedName(pointer.substr(std::min(pointer.size(), rule_pointer.size())));
        return doc.Where(pointer) + ": rule \"" + id + "\"" + (inside.empty() ? "" : ": " + inside);
      });
}

Result<std::shared_ptr<const Policy::Rule>> ReadRule(const toml::Document& doc, const json::FieldReader& at, const PolicyOptions& options) {
  auto rule = std::make_shared<Policy::Rule>();
  AIP_RETURN_IF_ERROR(at.String("id", rule->id, json::Need::kRequired, 256));
  if (rule->id.empty()) return at.Fail("id", "must not be empty");
  json::FieldReader r(at.object(), at.path(), RuleDescriber(doc, at.path(), rule->id));
  AIP_RETURN_IF_ERROR(r.OnlyFields({"id", "effect", "principals", "subjects", "clients", "agents", "kinds", "roles", "scopes", "upstreams",
                                    "actions", "targets", "when", "reason", "require"}));
  std::string effect;
  AIP_RETURN_IF_ERROR(r.String("effect", effect, json::Need::kRequired, 16));
  if (effect != "allow" && effect != "deny") return r.Fail("effect", "must be \"allow\" or \"deny\"");
  rule->allow = effect == "allow";
  AIP_RETURN_IF_ERROR(r.String("reason", rule->reason));
  for (auto [key, out] : {std::pair{"principals", &rule->principals},
                          {"subjects", &rule->subjects},
                          {"clients", &rule->clients},
                          {"agents", &rule->agents},
                          {"kinds", &rule->kinds},
                          {"roles", &rule->roles},
                          {"scopes", &rule->scopes},
                          {"upstreams", &rule->upstreams},
                          {"actions", &rule->actions},
                          {"targets", &rule->targets}}) {
    AIP_RETURN_IF_ERROR(r.Strings(key, *out));
  }
  for (const auto& k : rule->kinds) {
    if (!authn::KindFromName(k)) return r.Fail("kinds", "unknown kind \"" + k + "\"");
  }
  AIP_ASSIGN_OR_RETURN(std::vector<json::FieldReader> when, r.Items("when"));
  for (const json::FieldReader& w : when) {
    auto p = Predicate::Parse(w.object());
    if (!p) return w.FailHere(p.error().message);
    rule->when.push_back(std::move(*p));
  }
  AIP_ASSIGN_OR_RETURN(std::optional<json::FieldReader> require, r.Nested("require"));
  if (require) {
    for (const auto& [name, spec] : require->object()) {
      auto factory = options.conditions.find(std::string_view(name));
      if (factory == options.conditions.end()) return require->Fail(name, "unknown condition \"" + std::string(name) + "\"");
      auto c = factory->second(spec);
      if (!c) return require->Fail(name, c.error().message);
      rule->require.push_back(std::move(*c));
    }
  }
  return std::shared_ptr<const Policy::Rule>(std::move(rule));
}

}  // namespace

Result<Policy> Policy::FromToml(std::string_view text, std::string_view source, const PolicyOptions& options) {
  AIP_ASSIGN_OR_RETURN(toml::Document doc, toml::Parse(text, source));
  AIP_RETURN_IF_ERROR(toml::Reader(doc).OnlyFields({"rule", "limit"}));
  return FromDocument(doc, options);
}

Result<Policy> Policy::FromDocument(const toml::Document& doc, const PolicyOptions& options) {
  Policy policy;  // No rules: everything is denied.
  // The conditions the policy knows itself; the caller's (trust, for one) are added to them.
  PolicyOptions known = options;
  if (!known.conditions.contains("credential")) known.conditions["credential"] = CredentialConditionFactory();
  AIP_ASSIGN_OR_RETURN(std::vector<json::FieldReader> rules, toml::Reader(doc).Items("rule", json::Need::kOptional, 10000));
  for (const json::FieldReader& at : rules) {
    AIP_ASSIGN_OR_RETURN(auto rule, ReadRule(doc, at, known));
    for (const auto& other : policy.rules_) {
      if (other->id == rule->id) return InvalidArgumentError(doc.Where(at.path()) + ": rule \"" + rule->id + "\": duplicate rule id");
    }
    policy.rules_.push_back(std::move(rule));
  }
  return policy;
}

Decision Policy::Evaluate(const Request& request) const {
  if (OutsideToolAllowlist(request)) {
    return Decision{false, std::string(kToolAllowlistRule), "the credential is limited to other tools", denial::kCredentialTools, {}, {},
                    {}};
  }
  const Rule* allow = nullptr;
  for (const auto& r : rules_) {
    if (!MatchesIdentity(*r, request) || !MatchesArguments(*r, request)) continue;
    if (!r->allow) return Decision{false, r->id, r->reason.empty() ? "denied by rule " + r->id : r->reason, denial::kDenyRule, {}, {}, {}};
    if (allow == nullptr) allow = r.get();
  }
  if (allow != nullptr) {
    return Decision{true, allow->id, allow->reason.empty() ? "allowed by rule " + allow->id : allow->reason, denial::kAllowed, {}, {}, {}};
  }
  return ExplainDefaultDeny(request);
}

// ExplainDefaultDeny names the allow rule this caller came closest to: one that names this caller
// and this target, and the first of its conditions or argument predicates that failed. Only the
// deny path pays for it.
Decision Policy::ExplainDefaultDeny(const Request& request) const {
  for (const auto& r : rules_) {
    if (!r->allow || !MatchesCallerAndTarget(*r, request)) continue;
    for (const auto& c : r->require) {
      if (!c->Holds(request)) {
        std::string why = c->Explain(request);
        return Decision{false, "", "no rule allows this request", denial::kCondition, c->Name(), why, r->id};
      }
    }
    for (const auto& p : r->when) {
      if (!p.Holds(request.arguments)) {
        return Decision{false, "", "no rule allows this request", denial::kArgument, p.pointer, p.Describe(), r->id};
      }
    }
  }
  return Decision{false, "", "no rule allows this request", denial::kNoRule, {}, {}, {}};
}

std::vector<std::string> Policy::ScopesToAllow(const Request& request) const {
  if (request.principal == nullptr || Evaluate(request).allow) return {};
  for (const auto& r : rules_) {
    if (!r->allow || r->scopes.empty()) continue;
    authn::Principal stepped = *request.principal;
    for (const auto& s : r->scopes) {
      if (std::find(stepped.scopes.begin(), stepped.scopes.end(), s) == stepped.scopes.end()) stepped.scopes.push_back(s);
    }
    Request q = request;
    q.principal = &stepped;
    if (Evaluate(q).allow) return stepped.scopes;
  }
  return {};
}

bool Policy::AdmitsAnonymous() const {
  return std::any_of(rules_.begin(), rules_.end(),
                     [](const auto& r) { return r->allow && Contains(r->kinds, authn::KindName(authn::Principal::Kind::kAnonymous)); });
}

bool Policy::MayList(const Request& request) const {
  if (OutsideToolAllowlist(request)) return false;
  bool allowed = false;
  for (const auto& r : rules_) {
    if (!MatchesIdentity(*r, request)) continue;
    if (!r->allow && r->when.empty()) return false;  // Denied whatever the arguments.
    if (r->allow) allowed = true;
  }
  return allowed;
}

std::vector<std::string> Policy::RuleIds() const {
  std::vector<std::string> ids;
  ids.reserve(rules_.size());
  for (const auto& r : rules_) ids.push_back(r->id);
  return ids;
}

}  // namespace aip::policy
