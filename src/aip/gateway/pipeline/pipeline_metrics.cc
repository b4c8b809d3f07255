#include "aip/gateway/pipeline/pipeline_metrics.h"

namespace aip::gateway {
namespace {

constexpr std::string_view kRequests = "aip_gateway_requests_total";
constexpr std::string_view kDecisions = "aip_gateway_decisions_total";
constexpr std::string_view kLatency = "aip_gateway_upstream_latency_seconds";

constexpr std::string_view kMethods[] = {"tools/call", "prompts/get",  "resources/read", "completion/complete",
                                         "tools/list", "prompts/list", "resources/list", "resources/templates/list"};

}  // namespace

std::string_view CallOutcomeName(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kOk:
      return "ok";
    case CallOutcome::kDenied:
      return "denied";
    case CallOutcome::kRateLimited:
      return "rate_limited";
    case CallOutcome::kRpcError:
      return "rpc_error";
    case CallOutcome::kToolError:
      return "tool_error";
    case CallOutcome::kUpstreamUnavailable:
      return "upstream_unavailable";
    case CallOutcome::kCancelled:
      return "cancelled";
    case CallOutcome::kStoreUnavailable:
      return "store_unavailable";
  }
  return "unknown";
}

void PipelineMetrics::Describe(Metrics& metrics) {
  metrics.Describe(std::string(kRequests), Metrics::Type::kCounter, "Catalog requests by method and outcome.");
  metrics.Describe(std::string(kDecisions), Metrics::Type::kCounter, "Authorization decisions by decision and rule.");
  metrics.Describe(std::string(kLatency), Metrics::Type::kHistogram, "Time spent in the upstream per call.");
  metrics.Describe("aip_gateway_upstream_restarts_total", Metrics::Type::kCounter, "Upstream reconnections or respawns after a failure.");
  metrics.Describe("aip_gateway_upstream_cancelled_total", Metrics::Type::kCounter, "Upstream calls given up because their caller left.");
}

PipelineMetrics::PipelineMetrics(Metrics& metrics, const std::vector<std::string>& rule_ids, const std::vector<std::string>& limit_ids,
                                 const std::vector<std::string>& upstreams)
    : metrics_(&metrics) {
  for (std::string_view method : kMethods) {
    auto& row = requests_[std::string(method)];
    for (std::size_t i = 0; i < kCallOutcomes; ++i) {
      row[i] = metrics.CounterFor(kRequests, {{"method", std::string(method)}, {"outcome", std::string(CallOutcomeName(CallOutcome(i)))}});
    }
  }
  auto decision = [&](std::string_view kind, const std::string& rule) {
    decisions_[std::string(kind)][rule] = metrics.CounterFor(kDecisions, {{"decision", std::string(kind)}, {"rule", rule}});
  };
  for (const auto& id : rule_ids) {
    decision("allow", id);
    decision("deny", id);
  }
  decision("deny", "default_deny");
  decision("allow", "unsafe_allow_all");
  for (const auto& id : limit_ids) decision("rate_limited", id);
  for (const auto& u : upstreams) latency_[u] = metrics.HistogramFor(kLatency, {{"upstream", u}});
}

void PipelineMetrics::Request(std::string_view method, CallOutcome outcome) const {
  if (auto it = requests_.find(method); it != requests_.end()) {
    it->second[static_cast<std::size_t>(outcome)].Add();
    return;
  }
  metrics_->Add(kRequests, {{"method", std::string(method)}, {"outcome", std::string(CallOutcomeName(outcome))}});
}

void PipelineMetrics::Decision(std::string_view decision, std::string_view rule) const {
  if (auto kind = decisions_.find(decision); kind != decisions_.end()) {
    if (auto it = kind->second.find(rule); it != kind->second.end()) {
      it->second.Add();
      return;
    }
  }
  metrics_->Add(kDecisions, {{"decision", std::string(decision)}, {"rule", std::string(rule)}});
}

void PipelineMetrics::UpstreamLatency(std::string_view upstream, double seconds) const {
  if (auto it = latency_.find(upstream); it != latency_.end()) {
    it->second.Observe(seconds);
    return;
  }
  metrics_->Observe(kLatency, {{"upstream", std::string(upstream)}}, seconds);
}

}  // namespace aip::gateway
