#include "aip/mcp/jsonrpc.h"

namespace aip::mcp {
namespace {

ErrorResponse Invalid(json::Value id, std::string why) {
  return ErrorResponse{std::move(id), RpcError{kInvalidRequest, "Invalid Request: " + why, std::nullopt}};
}

bool ValidId(const json::Value& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }

}  // namespace

json::Object RpcError::ToJson() const {
  json::Object o{{"code", code}, {"message", message}};
  if (data) o["data"] = *data;
  return o;
}

std::variant<Message, ErrorResponse> ParseMessage(std::string_view text, std::size_t max_bytes) {
  json::ParseLimits limits;
  limits.max_bytes = max_bytes;
  auto v = json::ParseJson(text, limits);
  if (!v) return ErrorResponse{nullptr, RpcError{kParseError, "Parse error: " + v.error().message, std::nullopt}};
  return ParseMessage(std::move(*v));
}

std::variant<Message, ErrorResponse> ParseMessage(const json::Value& value) {
  json::Value copy = value;
  return ParseMessage(std::move(copy));
}

std::variant<Message, ErrorResponse> ParseMessage(json::Value&& value) {
  if (value.is_array()) return Invalid(nullptr, "batches are not supported");
  if (!value.is_object()) return Invalid(nullptr, "a message must be a JSON object");
  json::Object& o = value.get_object();
  json::Value id = nullptr;
  const json::Value* idv = o.if_contains("id");
  if (idv != nullptr && ValidId(*idv)) id = *idv;
  const json::Value* version = o.if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return Invalid(id, "jsonrpc must be \"2.0\"");
  }
  const json::Value* method = o.if_contains("method");
  if (method != nullptr) {
    if (!method->is_string() || method->get_string().empty()) return Invalid(id, "method must be a non-empty string");
    json::Object params;
    bool has_params = false;
    if (json::Value* p = o.if_contains("params")) {
      if (!p->is_object()) return Invalid(id, "params must be an object");
      params = std::move(p->get_object());
      has_params = true;
    }
    if (idv == nullptr) return Message(Notification{std::string(method->get_string()), std::move(params)});
    if (!ValidId(*idv)) return Invalid(nullptr, "id must be a string or an integer");
    return Message(Request{id, std::string(method->get_string()), std::move(params), has_params});
  }
  if (idv == nullptr) return Invalid(nullptr, "neither a request nor a response");
  if (json::Value* result = o.if_contains("result")) {
    if (!ValidId(*idv)) return Invalid(nullptr, "response id must be a string or an integer");
    return Message(Response{id, std::move(*result)});
  }
  if (const json::Value* err = o.if_contains("error"); err != nullptr && err->is_object()) {
    const json::Object& e = err->get_object();
    const json::Value* code = e.if_contains("code");
    const json::Value* msg = e.if_contains("message");
    if (code == nullptr || !code->is_int64() || msg == nullptr || !msg->is_string()) {
      return Invalid(id, "error must have an integer code and a message");
    }
    RpcError re{static_cast<int>(code->get_int64()), std::string(msg->get_string()), std::nullopt};
    if (const json::Value* d = e.if_contains("data")) re.data = *d;
    return Message(ErrorResponse{idv->is_null() ? json::Value(nullptr) : id, std::move(re)});
  }
  return Invalid(id, "response must have a result or an error");
}

json::Object ToJson(const Request& r) {
  json::Object o{{"jsonrpc", "2.0"}, {"id", r.id}, {"method", r.method}};
  if (r.has_params || !r.params.empty()) o["params"] = r.params;
  return o;
}
json::Object ToJson(const Notification& n) {
  json::Object o{{"jsonrpc", "2.0"}, {"method", n.method}};
  if (!n.params.empty()) o["params"] = n.params;
  return o;
}
json::Object ToJson(const Response& r) { return MakeResult(r.id, r.result); }
json::Object ToJson(const ErrorResponse& e) { return json::Object{{"jsonrpc", "2.0"}, {"id", e.id}, {"error", e.error.ToJson()}}; }
json::Object ToJson(const Message& m) {
  return std::visit([](const auto& x) { return ToJson(x); }, m);
}

json::Object MakeResult(const json::Value& id, json::Value result) {
  return json::Object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json::Object MakeError(const json::Value& id, int code, std::string message, std::optional<json::Value> data) {
  return ToJson(ErrorResponse{id, RpcError{code, std::move(message), std::move(data)}});
}

}  // namespace aip::mcp
