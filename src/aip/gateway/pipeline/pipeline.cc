#include "aip/gateway/pipeline/pipeline.h"

#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {

std::shared_ptr<Pipeline> Pipeline::Standard(std::shared_ptr<authn::RequestAuthenticator> authenticator, std::shared_ptr<AuditSink> audit) {
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<AuthenticateStage>(std::move(authenticator), audit));
  stages.push_back(std::make_unique<ListStage>());
  stages.push_back(std::make_unique<ResolveStage>());
  stages.push_back(std::make_unique<AuthorizeStage>());
  stages.push_back(std::make_unique<RateLimitStage>());
  stages.push_back(std::make_unique<AuditStage>(audit));
  stages.push_back(std::make_unique<ForwardStage>(std::move(audit)));
  return std::make_shared<Pipeline>(std::move(stages));
}

void Pipeline::SetState(std::shared_ptr<const PipelineState> state) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
}

std::shared_ptr<const PipelineState> Pipeline::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

Outcome Pipeline::Route(const mcp::Request& request, const mcp::RequestInfo& info, mcp::CallContext& ctx) {
  auto state = this->state();
  if (!state) return mcp::RpcError{mcp::kInternalError, "gateway is not configured", std::nullopt};
  GatewayCall call(request, info, ctx, *state);
  for (const auto& stage : stages_) {
    if (auto answer = stage->Run(call)) return std::move(*answer);
  }
  // The last stage answers every call it gets; a pipeline without one is a bug, refused closed.
  return mcp::RpcError{mcp::kInternalError, "no stage answered the request", std::nullopt};
}

json::Object Pipeline::Capabilities() const {
  auto st = state();
  json::Object caps;
  if (!st) return caps;
  for (const auto& [name, u] : st->upstreams) {
    auto c = u->catalog();
    if (!c) continue;
    if (c->capabilities.contains("tools")) caps["tools"] = json::Object{{"listChanged", false}};
    if (c->capabilities.contains("resources")) caps["resources"] = json::Object{{"subscribe", false}, {"listChanged", false}};
    if (c->capabilities.contains("prompts")) caps["prompts"] = json::Object{{"listChanged", false}};
    if (c->capabilities.contains("completions")) caps["completions"] = json::Object{};
  }
  return caps;
}

std::optional<json::Value> Pipeline::ToolInputSchema(std::string_view name) const {
  auto st = state();
  if (!st) return std::nullopt;
  auto tool = ResolveName(st->upstreams, name, CatalogKind::kTool);
  if (!tool) return std::nullopt;
  const json::Value* schema = tool->definition->if_contains("inputSchema");
  return schema != nullptr ? std::optional<json::Value>(*schema) : std::nullopt;
}

}  // namespace aip::gateway
