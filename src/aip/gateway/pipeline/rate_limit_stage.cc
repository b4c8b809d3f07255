#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {

std::optional<Outcome> RateLimitStage::Run(GatewayCall& call) {
  if (!call.decision.allow) return std::nullopt;  // A denied call spends no token.
  call.limited = call.state.limits->Take(call.PolicyRequest());
  if (!call.limited) return std::nullopt;
  auto seconds = std::max<std::int64_t>(1, (call.limited->retry_after.count() + 999) / 1000);
  if (call.limited->store_unavailable) {
    // Not the caller's fault, and not a pass either: refused with 503 + Retry-After (fail closed).
    call.refusal = mcp::RpcError{
        mcp::kInternalError, "Service unavailable: the rate-limit store cannot be reached (limit " + call.limited->limit_id + ")",
        json::Value(json::Object{
            {"reason", "rate_limit_store_unavailable"}, {"limit", call.limited->limit_id}, {"retryAfterSeconds", std::int64_t{1}}})};
    call.refusal_outcome = CallOutcome::kStoreUnavailable;
    return std::nullopt;
  }
  call.refusal = mcp::RpcError{mcp::kRateLimitedCode, "Too many requests: rate limit " + call.limited->limit_id,
                               json::Value(json::Object{{"limit", call.limited->limit_id}, {"retryAfterSeconds", seconds}})};
  call.refusal_outcome = CallOutcome::kRateLimited;
  return std::nullopt;
}

}  // namespace aip::gateway
