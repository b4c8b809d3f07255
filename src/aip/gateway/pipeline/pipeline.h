// Pipeline: the gateway's RequestRouter. It plugs into McpServer (which keeps the handshake,
// sessions and protocol eras) and runs every catalog request through its stages (stages.h) over
// one GatewayCall, under the configuration snapshot current when the request arrived; a reload
// swaps the snapshot without stopping calls in flight.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "aip/gateway/pipeline/stage.h"

namespace aip::gateway {

class AuditSink;

class Pipeline final : public mcp::RequestRouter {
 public:
  explicit Pipeline(std::vector<std::unique_ptr<Stage>> stages) : stages_(std::move(stages)) {}
  // Standard assembles the gateway's stages in their order (stages.h).
  static std::shared_ptr<Pipeline> Standard(std::shared_ptr<authn::RequestAuthenticator> authenticator, std::shared_ptr<AuditSink> audit);

  void SetState(std::shared_ptr<const PipelineState> state);
  std::shared_ptr<const PipelineState> state() const;

  Outcome Route(const mcp::Request& request, const mcp::RequestInfo& info, mcp::CallContext& ctx) override;
  json::Object Capabilities() const override;
  std::optional<json::Value> ToolInputSchema(std::string_view name) const override;

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
  mutable std::mutex mu_;
  std::shared_ptr<const PipelineState> state_;
};

}  // namespace aip::gateway
