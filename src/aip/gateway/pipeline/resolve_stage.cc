#include "aip/gateway/pipeline/stages.h"
#include "aip/mcp/request_params.h"

namespace aip::gateway {
namespace {

mcp::RpcError InvalidParams(std::string message, std::optional<json::Value> data = std::nullopt) {
  return mcp::RpcError{mcp::kInvalidParams, std::move(message), std::move(data)};
}

// ForwardedMeta is the _meta the upstream gets: the caller's progress token (notifications are
// relayed), its capabilities and log level (from its session in the legacy era), and nothing
// else: proofs and other _meta stay at the gateway.
json::Object ForwardedMeta(const mcp::RequestInfo& info, const mcp::CallContext& ctx) {
  json::Object out;
  if (const json::Value* pt = info.meta.if_contains("progressToken")) out["progressToken"] = *pt;
  if (info.modern) {
    for (std::string_view key : {mcp::kMetaClientCapabilities, mcp::kMetaLogLevel}) {
      if (const json::Value* v = info.meta.if_contains(key)) out[key] = *v;
    }
  } else if (ctx.session != nullptr) {
    out[mcp::kMetaClientCapabilities] = ctx.session->client_capabilities;
    out[mcp::kMetaLogLevel] = ctx.session->log_level;
  }
  return out;
}

// WithheldError refuses a call to a tool or prompt whose definition its pins do not approve
// (docs/tool-integrity.md): the caller learns which and why, the operator what to run.
mcp::RpcError WithheldError(const std::string& what, std::string_view shown, const WithheldName& withheld) {
  std::string why = pins::WithheldWhy(withheld.reason);
  return mcp::RpcError{
      mcp::kForbiddenCode,
      "Forbidden: " + what + " " + std::string(shown) + ": " + why + "; withheld until an operator approves it (aip pins)",
      json::Value(json::Object{{"reason", "definition_" + withheld.reason}, {what, shown}, {"upstream", withheld.upstream}})};
}

// ByName points the call at the tool or prompt the caller named.
std::optional<mcp::RpcError> ByName(GatewayCall& call, std::string_view shown, CatalogKind kind) {
  auto resolved = ResolveName(call.state.upstreams, shown, kind);
  std::string what = kind == CatalogKind::kTool ? "tool" : "prompt";
  if (!resolved) {
    if (auto withheld = FindWithheld(call.state.upstreams, shown, kind)) return WithheldError(what, shown, *withheld);
    return InvalidParams("Unknown " + what + ": " + std::string(shown));
  }
  call.upstream = std::move(resolved->upstream);
  call.target = std::move(resolved->name);
  call.shown_target = std::string(shown);
  return std::nullopt;
}

std::optional<mcp::RpcError> ByUri(GatewayCall& call, std::string_view uri) {
  call.upstream = UpstreamForUri(call.state.upstreams, uri);
  if (!call.upstream) return InvalidParams("Resource not found: " + std::string(uri), json::Object{{"uri", uri}});
  call.target = call.shown_target = std::string(uri);
  return std::nullopt;
}

}  // namespace

std::optional<Outcome> ResolveStage::Run(GatewayCall& call) {
  const mcp::Request& r = call.request;
  const json::Object& params = r.params;
  // The caller's _meta (with its proof) stays here: copy the rest, then add what is forwarded.
  call.params.reserve(params.size());
  for (const auto& kv : params) {
    if (kv.key() != "_meta") call.params.emplace(kv.key(), kv.value());
  }
  call.params["_meta"] = ForwardedMeta(call.info, call.ctx);
  if (r.method == "tools/call" || r.method == "prompts/get") {
    auto named = mcp::ReadNamedCall(params);
    if (!named) return mcp::InvalidParams(named.error());
    if (auto err = ByName(call, named->name, r.method == "tools/call" ? CatalogKind::kTool : CatalogKind::kPrompt)) return *err;
    call.params["name"] = call.target;
    call.arguments = named->arguments;
  } else if (r.method == "resources/read") {
    auto uri = mcp::ReadUri(params);
    if (!uri) return mcp::InvalidParams(uri.error());
    if (auto err = ByUri(call, *uri)) return *err;
  } else if (r.method == "completion/complete") {
    auto ref = mcp::ReadCompletion(params);
    if (!ref) return mcp::InvalidParams(ref.error());
    if (ref->type == "ref/prompt") {
      if (auto err = ByName(call, ref->name, CatalogKind::kPrompt)) return *err;
      json::Object rewritten = params.at("ref").get_object();
      rewritten["name"] = call.target;
      call.params["ref"] = std::move(rewritten);
    } else if (auto err = ByUri(call, ref->uri)) {
      return mcp::RpcError{mcp::kInvalidParams, "Resource not found", std::nullopt};
    }
    call.arguments = ref->argument;
  } else {
    return mcp::RpcError{mcp::kMethodNotFound, "Method not found: " + r.method, std::nullopt};
  }
  call.trace = ContinueTrace(call.ctx.http != nullptr && call.ctx.http->headers != nullptr ? call.ctx.http->headers->Get("traceparent")
                                                                                           : std::optional<std::string_view>());
  return std::nullopt;
}

}  // namespace aip::gateway
