#include <chrono>
#include <cmath>

#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {
namespace {

// FromUpstreamError passes the upstream's JSON-RPC error on as it was (a code that is not an
// integer becomes an internal error).
mcp::RpcError FromUpstreamError(const json::Object& e) {
  const json::Value* code = e.if_contains("code");
  const json::Value* message = e.if_contains("message");
  mcp::RpcError re;
  re.code = code != nullptr && code->is_int64() ? static_cast<int>(code->get_int64()) : mcp::kInternalError;
  re.message = message != nullptr && message->is_string() ? std::string(message->get_string()) : "upstream error";
  if (const json::Value* d = e.if_contains("data")) re.data = *d;
  return re;
}

}  // namespace

std::optional<Outcome> ForwardStage::Run(GatewayCall& call) {
  ForwardOptions fo;
  fo.traceparent = call.trace.child;
  fo.caller = call.who();
  fo.cancellation = call.ctx.cancelled;
  mcp::CallContext& ctx = call.ctx;
  if (ctx.notify) fo.on_notification = [&ctx](const json::Object& note) { ctx.notify(note); };
  auto t0 = std::chrono::steady_clock::now();
  auto response = call.upstream->Forward(call.request.method, std::move(call.params), fo);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  call.state.metrics->UpstreamLatency(call.upstream->name(), seconds);

  CallOutcome outcome;
  Outcome result = json::Value(nullptr);
  std::optional<std::int64_t> error_code;
  if (!response && call.ctx.cancelled && call.ctx.cancelled->cancelled()) {
    // The caller left: nobody reads this answer, but the audit log and metrics say what happened.
    outcome = CallOutcome::kCancelled;
    result = mcp::RpcError{mcp::kInternalError, "Request cancelled", json::Value(json::Object{{"reason", "cancelled"}})};
  } else if (!response) {
    outcome = CallOutcome::kUpstreamUnavailable;
    bool busy = response.error().code == ErrorCode::kResourceExhausted;
    result = mcp::RpcError{mcp::kInternalError, "Upstream " + call.upstream->name() + (busy ? " busy" : " unavailable"),
                           json::Value(json::Object{{"upstream", call.upstream->name()}, {"reason", busy ? "busy" : "unavailable"}})};
  } else if (const json::Value* err = response->if_contains("error"); err != nullptr && err->is_object()) {
    mcp::RpcError re = FromUpstreamError(err->get_object());
    error_code = re.code;
    outcome = CallOutcome::kRpcError;
    result = std::move(re);
  } else {
    json::Value& res = (*response)["result"];
    const json::Value* is_error = res.is_object() ? res.get_object().if_contains("isError") : nullptr;
    outcome = is_error != nullptr && *is_error == true ? CallOutcome::kToolError : CallOutcome::kOk;
    result = std::move(res);
  }
  call.state.metrics->Request(call.request.method, outcome);
  if (audit_) {
    json::Object record = call.Record("outcome");
    record["outcome"] = CallOutcomeName(outcome);
    if (error_code) record["error_code"] = *error_code;
    record["latency_ms"] = std::round(seconds * 1e6) / 1e3;
    if (Status s = audit_->Append(std::move(record)); !s.ok()) {
      return mcp::RpcError{mcp::kInternalError, "audit log unavailable", std::nullopt};
    }
  }
  return result;
}

}  // namespace aip::gateway
