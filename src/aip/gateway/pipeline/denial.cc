#include "aip/gateway/pipeline/denial.h"

namespace aip::gateway {

mcp::RpcError DenialError(const policy::Decision& decision, DenialDetail detail, std::string_view target, std::string_view correlation_id) {
  json::Object data{{"reason", detail == DenialDetail::kNone ? std::string_view("denied") : decision.code},
                    {"correlationId", correlation_id}};
  if (detail == DenialDetail::kNone) return mcp::RpcError{mcp::kForbiddenCode, "Denied by policy", json::Value(std::move(data))};
  std::string message;
  const std::string& rule = decision.rule_id.empty() ? decision.closest_rule : decision.rule_id;
  if (rule.empty()) {
    message = "no rule allows this caller to use " + std::string(target);
  } else {
    data["rule"] = rule;
    message = "denied by rule `" + rule + "`";
    if (decision.code == policy::denial::kArgument || decision.code == policy::denial::kCondition) {
      data["field"] = decision.field;
      if (detail == DenialDetail::kFull) {
        message += ": " + decision.detail;
        data["detail"] = decision.detail;
      } else {
        message += decision.code == policy::denial::kArgument ? ": argument " + decision.field + " is not allowed"
                                                              : ": the " + decision.field + " condition is not met";
      }
    } else if (decision.code == policy::denial::kCredentialTools) {
      message += ": the credential is limited to other tools";
    } else if (detail == DenialDetail::kFull) {
      message += ": " + decision.reason;  // The deny rule's own words.
    }
  }
  return mcp::RpcError{mcp::kForbiddenCode, std::move(message), json::Value(std::move(data))};
}

}  // namespace aip::gateway
