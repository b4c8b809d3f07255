// The gateway pipeline's data: PipelineState, what a configuration (re)load fixes, as one
// immutable snapshot; and GatewayCall, one request on its way through the stages. The request is
// parsed once, by the transport: stages read it in place (the arguments policy checks are a
// view into it) and add what later stages need — the principal, the upstream and target, the
// decision, the refusal — so nothing is serialized again between stages.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "aip/authn/principal.h"
#include "aip/gateway/config.h"
#include "aip/gateway/pipeline/name_resolution.h"
#include "aip/gateway/pipeline/pipeline_metrics.h"
#include "aip/gateway/pipeline/trace_context.h"
#include "aip/mcp/server.h"
#include "aip/policy/policy.h"
#include "aip/policy/rate_limits.h"

namespace aip::gateway {

class TrustScores;

using Outcome = std::variant<json::Value, mcp::RpcError>;

struct PipelineState {
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<TrustScores> trust;  // Bound when [trust] is configured: audit lines carry scores.
  std::shared_ptr<policy::RateLimits> limits;
  UpstreamMap upstreams;
  bool unsafe_allow_all = false;
  DenialDetail denial_detail = DenialDetail::kReason;
  std::shared_ptr<const PipelineMetrics> metrics;
};

struct GatewayCall {
  GatewayCall(const mcp::Request& r, const mcp::RequestInfo& i, mcp::CallContext& c, const PipelineState& s)
      : request(r), info(i), ctx(c), state(s) {}

  // What the transport parsed, and the configuration the call runs under.
  const mcp::Request& request;
  const mcp::RequestInfo& info;
  mcp::CallContext& ctx;
  const PipelineState& state;

  // Authenticate: the caller (none: anonymous).
  std::optional<authn::Principal> principal;
  const authn::Principal* who() const { return principal ? &*principal : nullptr; }

  // Resolve: where the call goes and what the upstream gets.
  std::shared_ptr<Upstream> upstream;
  std::string target;                             // Tool/prompt name (without namespace) or resource URI.
  std::string shown_target;                       // As the caller named it.
  json::Object params;                            // Forwarded params (name rewritten, _meta reduced).
  const json::Object* arguments = &kNoArguments;  // What policy predicates read: a view into the request.
  TraceContext trace;

  // Authorize and rate-limit: the decision, and the error the caller gets if it refuses.
  policy::Decision decision;
  std::optional<policy::Limited> limited;
  std::optional<mcp::RpcError> refusal;
  CallOutcome refusal_outcome = CallOutcome::kDenied;

  policy::Request PolicyRequest() const;
  // Record starts an audit line about this call: who, what, where, and its trace.
  json::Object Record(std::string_view type) const;

  static const json::Object kNoArguments;
};

// PrincipalFields is how an audit line names a caller ({"agent", "kind", "did"?, ...}).
json::Object PrincipalFields(const authn::Principal* principal);

}  // namespace aip::gateway
