#include "aip/gateway/pipeline/denial.h"
#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {

std::optional<Outcome> AuthorizeStage::Run(GatewayCall& call) {
  const PipelineState& state = call.state;
  policy::Request q = call.PolicyRequest();
  call.decision =
      state.unsafe_allow_all
          ? policy::Decision{true, "unsafe_allow_all", "development mode: everything allowed", policy::denial::kAllowed, {}, {}, {}}
          : state.policy->Evaluate(q);
  if (call.decision.allow) {
    // Allowed, so the caller could see the tool's schema: now missing Mcp-Param-* headers count.
    if (call.ctx.missing_param_headers) {
      return mcp::RpcError{mcp::kHeaderMismatch, "Header mismatch: " + *call.ctx.missing_param_headers, std::nullopt};
    }
    return std::nullopt;
  }
  call.refusal_outcome = CallOutcome::kDenied;
  if (call.who() == nullptr) {
    // A stranger learns only that it must authenticate, not how the policy is written.
    call.refusal = mcp::RpcError{mcp::kUnauthenticatedCode, "Unauthenticated: " + call.shown_target + " requires a signed request",
                                 json::Value(json::Object{{"reason", "missing_credential"}})};
    return std::nullopt;
  }
  mcp::RpcError denied = DenialError(call.decision, state.denial_detail, call.shown_target, call.trace.span_id);
  // A token short of a scope: say which would do, so the client can step up (HTTP 403
  // insufficient_scope where OAuth is configured).
  if (auto scopes = state.policy->ScopesToAllow(q); !scopes.empty()) {
    json::Array a;
    for (auto& sc : scopes) a.emplace_back(sc);
    denied.data->as_object()["requiredScopes"] = std::move(a);
  }
  call.refusal = std::move(denied);
  return std::nullopt;
}

}  // namespace aip::gateway
