// GatewayRouter: the gateway's pipeline for every catalog request. It plugs into McpServer
// (which keeps the handshake, sessions and protocol eras) and, for each request:
//   authenticate (the authenticator chain) → resolve the upstream from the namespaced name →
//   authorize (policy over principal, upstream, target and arguments; default deny) →
//   rate limit → audit the decision → forward with that upstream's credential only →
//   audit the outcome.
// Lists are merged from every upstream, namespaced ("weather.get_forecast"), and filtered to
// what the caller may call, so they are marked cacheScope "private".
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aip/gateway/audit_log.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/gateway/upstream.h"
#include "aip/mcp/server.h"
#include "aip/policy/policy.h"
#include "aip/policy/rate_limits.h"

namespace aip::gateway {

// What a reload replaces, as one immutable snapshot.
class TrustScores;

struct RouterState {
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<TrustScores> trust;  // Bound when [trust] is configured: audit lines carry scores.
  std::shared_ptr<policy::RateLimits> limits;
  std::map<std::string, std::shared_ptr<Upstream>> upstreams;
  bool unsafe_allow_all = false;
  DenialDetail denial_detail = DenialDetail::kReason;
};

// DenialError is the JSON-RPC error a caller gets when policy refuses its call: the message
// names the cause in words a model can act on, as far as `detail` reveals it; data carries the
// rule, the stable reason code, the failed field and `correlationId` (the audit line's
// request_id), and `requiredScopes` when a scope would allow the call.
mcp::RpcError DenialError(const policy::Decision& decision, DenialDetail detail, std::string_view target,
                          std::string_view correlation_id);

class GatewayRouter final : public mcp::RequestRouter {
 public:
  GatewayRouter(std::shared_ptr<authn::RequestAuthenticator> authenticator, std::shared_ptr<AuditLog> audit,
                std::shared_ptr<Metrics> metrics);

  void SetState(std::shared_ptr<const RouterState> state);
  std::shared_ptr<const RouterState> state() const;

  std::variant<json::Value, mcp::RpcError> Route(const mcp::Request& request, const mcp::RequestInfo& info,
                                                 mcp::CallContext& ctx) override;
  json::Object Capabilities() const override;
  std::optional<json::Value> ToolInputSchema(std::string_view name) const override;

 private:
  struct Call;
  std::variant<json::Value, mcp::RpcError> List(const std::string& method, const RouterState& state,
                                                const authn::Principal* principal);
  std::variant<Call, mcp::RpcError> Resolve(const mcp::Request& request, const mcp::RequestInfo& info,
                                            const mcp::CallContext& ctx, const RouterState& state);
  std::variant<json::Value, mcp::RpcError> Forward(Call& call, mcp::CallContext& ctx);

  std::shared_ptr<authn::RequestAuthenticator> authenticator_;
  std::shared_ptr<AuditLog> audit_;
  std::shared_ptr<Metrics> metrics_;
  mutable std::mutex mu_;
  std::shared_ptr<const RouterState> state_;
};

// SplitName splits "upstream.tool" at the first dot.
std::optional<std::pair<std::string, std::string>> SplitName(std::string_view namespaced);

// TraceContext reads a W3C traceparent ("00-<trace>-<parent>-<flags>") or starts a new trace;
// `child` is the traceparent to send upstream (same trace, our span).
struct TraceContext {
  std::string trace_id;
  std::string span_id;
  std::string child;
};
TraceContext ContinueTrace(std::optional<std::string_view> traceparent);

}  // namespace aip::gateway
