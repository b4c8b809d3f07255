// Authorization policy: allow/deny rules over the caller (principal), the upstream, the action
// and its target (tool, resource or prompt name), and the arguments (JSON Pointer predicates).
// Deny overrides allow; nothing allowed is denied; every decision names its rule and reason.
//
// Matching is strict by design, so arguments cannot be slipped past a rule: names and globs are
// case-sensitive, strings compare exactly (after the parser decoded any \u escapes), a number
// sent as a string still counts as that number in numeric rules (an upstream may coerce it), a
// missing argument matches no predicate, and regular expressions are RE2 (linear time).
//
// TOML form (see docs/policy.md):
//   [[rule]]
//   id = "tasks-project-a"
//   effect = "allow"                      # or "deny"
//   principals = ["did:key:z6Mk*"]        # globs on the principal id; omitted: anyone
//   kinds = ["agent"]                     # agent | api_key | user | anonymous
//   roles = ["ops"]; scopes = ["tasks:write"]   # any of
//   upstreams = ["tasks"]; actions = ["tools/call"]; targets = ["list_*"]
//   when = [ { pointer = "/project", op = "eq", value = "project-a" } ]
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/mcp/principal.h"

namespace aip::policy {

struct Request {
  const mcp::Principal* principal = nullptr;  // Null: anonymous.
  std::string upstream;
  std::string action;  // "tools/call", "resources/read", "prompts/get", "tools/list", ...
  std::string target;  // Tool, resource URI or prompt name.
  const json::Object* arguments = nullptr;
};

struct Decision {
  bool allow = false;
  std::string rule_id;  // Empty for the default deny.
  std::string reason;
};

class Policy {
 public:
  // FromToml parses a policy; errors name the source, line and field ("policy.toml:12: rule
  // \"x\": unknown op \"equals\"").
  static Result<Policy> FromToml(std::string_view text, std::string_view source_name);
  Decision Evaluate(const Request& request) const;
  std::size_t size() const;

  struct Rule;

 private:
  std::vector<std::shared_ptr<const Rule>> rules_;
};

// ResolvePointer returns the value at RFC 6901 pointer `pointer` in `object`, or nullptr.
const json::Value* ResolvePointer(const json::Object& object, std::string_view pointer);

}  // namespace aip::policy
