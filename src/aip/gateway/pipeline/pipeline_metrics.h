// PipelineMetrics: the series the pipeline records on every call, found once per configuration
// (methods × outcomes, decisions × the policy's rules and limits, latency per upstream), so a
// call adds to atomics without rendering labels or taking the registry's lock. Series a
// configuration cannot name in advance (an authentication failure's reason) are found on use.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/gateway/metrics.h"

namespace aip::gateway {

// What became of a catalog request (label "outcome" of aip_gateway_requests_total).
enum class CallOutcome { kOk, kDenied, kRateLimited, kRpcError, kToolError, kUpstreamUnavailable, kCancelled, kStoreUnavailable };
inline constexpr std::size_t kCallOutcomes = 8;
std::string_view CallOutcomeName(CallOutcome outcome);

class PipelineMetrics {
 public:
  // Describe declares the families (once per Metrics).
  static void Describe(Metrics& metrics);
  PipelineMetrics(Metrics& metrics, const std::vector<std::string>& rule_ids, const std::vector<std::string>& limit_ids,
                  const std::vector<std::string>& upstreams);

  void Request(std::string_view method, CallOutcome outcome) const;
  // Decision counts aip_gateway_decisions_total{decision, rule}.
  void Decision(std::string_view decision, std::string_view rule) const;
  void UpstreamLatency(std::string_view upstream, double seconds) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using ByName = std::unordered_map<std::string, T, Hash, std::equal_to<>>;

  Metrics* metrics_;
  ByName<std::array<Counter, kCallOutcomes>> requests_;  // By method.
  ByName<ByName<Counter>> decisions_;                    // By decision, then rule.
  ByName<Histogram> latency_;                            // By upstream.
};

}  // namespace aip::gateway
