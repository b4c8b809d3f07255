#include "aip/gateway/pipeline/stages.h"
#include "aip/gateway/trust_condition.h"

namespace aip::gateway {

std::optional<Outcome> AuditStage::Run(GatewayCall& call) {
  const PipelineState& state = call.state;
  const policy::Decision& d = call.decision;
  std::string_view decision = call.limited ? "rate_limited" : d.allow ? "allow" : "deny";
  std::string_view rule = call.limited ? std::string_view(call.limited->limit_id) : std::string_view(d.rule_id);
  if (audit_) {
    json::Object record = call.Record("decision");
    const authn::Principal* who = call.who();
    if (state.trust && who != nullptr && !who->did.empty()) {
      // The caller's score in general and its strongest path, for whoever reads the audit log.
      if (auto t = state.trust->Score(who->did, "")) {
        json::Array path;
        if (!t->paths.empty()) {
          for (const auto& did : t->paths.front().dids) path.emplace_back(did);
        }
        record["trust"] = json::Object{{"score", t->score}, {"path", std::move(path)}};
      }
    }
    record["decision"] = decision;
    record["rule"] = rule;
    record["reason"] = call.limited ? "rate limit " + call.limited->limit_id : d.reason;
    if (auto args = audit_->RecordedArguments(*call.arguments)) record["arguments"] = std::move(*args);
    if (Status s = audit_->Append(std::move(record)); !s.ok()) {
      // Fail closed: a call that cannot be recorded does not happen.
      return mcp::RpcError{mcp::kInternalError, "audit log unavailable", std::nullopt};
    }
  }
  state.metrics->Decision(decision, rule.empty() ? std::string_view("default_deny") : rule);
  if (!call.refusal) return std::nullopt;
  state.metrics->Request(call.request.method, call.refusal_outcome);
  return std::move(*call.refusal);
}

}  // namespace aip::gateway
