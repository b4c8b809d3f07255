// Authorization policy: allow/deny rules over the caller (principal), the upstream, the action
// and its target (tool, resource or prompt name), and the arguments (JSON Pointer predicates).
// Deny overrides allow; nothing allowed is denied; every decision names its rule and reason.
//
// Matching is strict by design, so arguments cannot be slipped past a rule: names and globs are
// case-sensitive, strings compare exactly (after the JSON parser decoded any \u escapes and
// refused duplicate keys), a number sent as a string still counts as that number in numeric
// rules (an upstream may coerce it), a missing argument matches no predicate, and regular
// expressions are RE2 (linear time). Anonymous callers match only rules that name the kind
// "anonymous": letting strangers in is always explicit.
//
// TOML form (docs/policy.md):
//   [[rule]]
//   id = "tasks-project-a"
//   effect = "allow"                      # or "deny"
//   principals = ["did:key:z6Mk*"]        # globs on the principal id; omitted: anyone
//   subjects = ["alice@example.com"]      # the user a token speaks for (its "sub")
//   clients = ["agent-7"]                 # the client acting: client_id or an "act" actor
//   agents = ["did:key:z6Mk*"]            # a DID proven by a signed call (with a token: the same agent)
//   kinds = ["agent"]                     # agent | api_key | user | bot | anonymous
//   roles = ["ops"]; scopes = ["tasks:write"]   # any of
//   upstreams = ["tasks"]; actions = ["tools/call"]; targets = ["list_*"]
//   when = [ { pointer = "/project", op = "eq", value = "project-a" } ]
//   require = { trust = { min = 0.5, scope = "tools:*" } }   # conditions plugged in by name
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/base/toml.h"
#include "aip/authn/principal.h"
#include "aip/policy/predicate.h"

namespace aip::policy {

struct Request {
  const authn::Principal* principal = nullptr;  // Null: anonymous.
  std::string upstream;
  std::string action;  // "tools/call", "resources/read", "prompts/get", ...
  std::string target;  // Tool, resource URI or prompt name (without the upstream's namespace).
  const json::Object* arguments = nullptr;
};

// The stable codes of a Decision: what a client, a metric or a test can rely on, whatever the
// rule's wording.
namespace denial {
inline constexpr std::string_view kAllowed = "allowed";
inline constexpr std::string_view kNoRule = "no_rule";                    // No allow rule covers this call.
inline constexpr std::string_view kDenyRule = "deny_rule";                // A deny rule matched.
inline constexpr std::string_view kArgument = "argument_condition";       // An allow rule's `when` failed.
inline constexpr std::string_view kCondition = "condition";               // An allow rule's `require` failed.
inline constexpr std::string_view kCredentialTools = "credential_tools";  // The credential's tool list.
}  // namespace denial

struct Decision {
  bool allow = false;
  std::string rule_id;  // Empty for the default deny.
  std::string reason;
  // Why, in three grains for three audiences: `code` (stable, denial::*), `field` (what failed:
  // the argument's JSON Pointer or the condition's name, never a value the policy allows), and
  // `detail` (the failed requirement in words, values included). For a default deny,
  // `closest_rule` is the allow rule the call came closest to — one that names this caller and
  // this target — and field and detail say what of it failed.
  std::string_view code = denial::kNoRule;
  std::string field;
  std::string detail;
  std::string closest_rule;
};

// Condition is a check a rule can require beyond names and arguments (the trust score of the
// caller, for one). Conditions are registered by name and configured in a rule's `require`.
class Condition {
 public:
  virtual ~Condition() = default;
  virtual bool Holds(const Request& request) const = 0;
  virtual std::string Describe() const = 0;
  // Name is what a denial's `field` shows ("trust"); Explain says why `request` fails it, values
  // included ("trust 0.12 < 0.5 for scope CODE_SIGNING").
  virtual std::string Name() const { return "condition"; }
  virtual std::string Explain(const Request& request) const {
    (void)request;
    return "requires " + Describe();
  }
};
using ConditionFactory = std::function<Result<std::shared_ptr<const Condition>>(const json::Value& spec)>;

struct PolicyOptions {
  std::map<std::string, ConditionFactory, std::less<>> conditions;
};

// The rule id of a denial because the credential's tool allowlist (Principal::tools) leaves the
// tool out.
inline constexpr std::string_view kToolAllowlistRule = "credential_tools";

class Policy {
 public:
  // FromToml parses a file holding only [[rule]] (and [[limit]], read by RateLimits) tables.
  static Result<Policy> FromToml(std::string_view text, std::string_view source_name, const PolicyOptions& options = {});
  // FromDocument reads the [[rule]] tables of a parsed file that may hold other sections.
  static Result<Policy> FromDocument(const toml::Document& doc, const PolicyOptions& options = {});

  Decision Evaluate(const Request& request) const;
  // MayList is true when some arguments could make `request` (without arguments) allowed: list
  // answers show a caller only what it may call.
  bool MayList(const Request& request) const;
  // ScopesToAllow: for a request denied for want of a scope, the scopes that would allow it —
  // the caller's own plus those of the first allow rule they would satisfy — so a 403 can ask
  // the client to step up (RFC 6750 insufficient_scope). Empty when no scope would help.
  std::vector<std::string> ScopesToAllow(const Request& request) const;
  // AdmitsAnonymous: some allow rule names the kind "anonymous" (strangers may do something).
  bool AdmitsAnonymous() const;
  std::size_t size() const { return rules_.size(); }
  // RuleIds lists the rules' ids in order (metrics resolve their series from it once).
  std::vector<std::string> RuleIds() const;

  struct Rule;

 private:
  Decision ExplainDefaultDeny(const Request& request) const;
  std::vector<std::shared_ptr<const Rule>> rules_;
};

}  // namespace aip::policy
