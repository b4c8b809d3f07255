#include "aip/mcp/jsonrpc.h"

#include <cstdint>

#include "aip/base/field_reader.h"

namespace aip::mcp {
namespace {

ErrorResponse Invalid(json::Value id, std::string why) {
  return ErrorResponse{std::move(id), RpcError{kInvalidRequest, "Invalid Request: " + why, std::nullopt}};
}

constexpr std::size_t kMaxMethodBytes = 256;
constexpr std::size_t kMaxErrorMessageBytes = 64 * 1024;

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
  json::FieldReader r(o);
  // The id is echoed in the error when it is a valid one, so the sender can match the refusal.
  json::Value id = nullptr;
  const json::Value* idv = o.if_contains("id");
  if (idv != nullptr && ValidId(*idv)) id = *idv;
  std::string version;
  if (Status s = r.String("jsonrpc", version, json::Need::kRequired, 8); !s.ok()) return Invalid(id, s.message());
  if (version != "2.0") return Invalid(id, r.Fail("jsonrpc", "must be \"2.0\"").message);
  if (o.contains("method")) {
    std::string method;
    if (Status s = r.String("method", method, json::Need::kRequired, kMaxMethodBytes); !s.ok()) return Invalid(id, s.message());
    if (method.empty()) return Invalid(id, r.Fail("method", "must not be empty").message);
    const json::Object* params = nullptr;
    if (Status s = r.ObjectMember("params", params); !s.ok() || (params == nullptr && o.contains("params"))) {
      return Invalid(id, s.ok() ? r.Fail("params", "must be an object").message : s.message());
    }
    bool has_params = params != nullptr;
    // if_contains, not operator[]: operator[] may grow the table first and move the id.
    json::Object moved = has_params ? std::move(o.if_contains("params")->get_object()) : json::Object{};
    if (idv == nullptr) return Message(Notification{std::move(method), std::move(moved)});
    if (!ValidId(*idv)) return Invalid(nullptr, r.Fail("id", "must be a string or an integer").message);
    return Message(Request{id, std::move(method), std::move(moved), has_params});
  }
  if (idv == nullptr) return Invalid(nullptr, "neither a request nor a response");
  if (json::Value* result = o.if_contains("result")) {
    if (!ValidId(*idv)) return Invalid(nullptr, r.Fail("id", "must be a string or an integer").message);
    return Message(Response{id, std::move(*result)});
  }
  auto error = r.Nested("error", json::Need::kRequired);
  if (!error) return Invalid(id, "response must have a result or an error");
  RpcError re;
  std::int64_t code = 0;
  if (Status s = (*error)->Int("code", code, INT32_MIN, INT32_MAX, json::Need::kRequired); !s.ok()) return Invalid(id, s.message());
  if (Status s = (*error)->String("message", re.message, json::Need::kRequired, kMaxErrorMessageBytes); !s.ok()) {
    return Invalid(id, s.message());
  }
  re.code = static_cast<int>(code);
  if (const json::Value* d = (*error)->object().if_contains("data")) re.data = *d;
  return Message(ErrorResponse{idv->is_null() ? json::Value(nullptr) : id, std::move(re)});
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
