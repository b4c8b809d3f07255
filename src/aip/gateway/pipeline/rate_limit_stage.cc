#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {

std::optional<Outcome> RateLimitStage::Run(GatewayCall& call) {
  if (!call.decision.allow) return std::nullopt;  // A denied call spends no token.
  call.limited = call.state.limits->Take(call.PolicyRequest());
  if (!call.limited) return std::nullopt;
  auto seconds = std::max<std::int64_t>(1, (call.limited->retry_after.count() + 999) / 1000);
  std::string message = call.limited->store_unavailable
                            ? "Too many requests: the rate-limit store cannot be reached (limit " + call.limited->limit_id + ")"
                            : "Too many requests: rate limit " + call.limited->limit_id;
  call.refusal = mcp::RpcError{mcp::kRateLimitedCode, std::move(message),
                               json::Value(json::Object{{"limit", call.limited->limit_id}, {"retryAfterSeconds", seconds}})};
  call.refusal_outcome = CallOutcome::kRateLimited;
  return std::nullopt;
}

}  // namespace aip::gateway
