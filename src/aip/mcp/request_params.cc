#include "aip/mcp/request_params.h"

#include "aip/base/field_reader.h"

namespace aip::mcp {

Result<NamedCall> ReadNamedCall(const json::Object& params) {
  json::FieldReader r(params);
  NamedCall call;
  AIP_RETURN_IF_ERROR(r.String("name", call.name, json::Need::kRequired, kMaxNameBytes));
  AIP_RETURN_IF_ERROR(r.ObjectMember("arguments", call.arguments));
  return call;
}

Result<std::string> ReadUri(const json::Object& params) {
  std::string uri;
  AIP_RETURN_IF_ERROR(json::FieldReader(params).String("uri", uri, json::Need::kRequired, kMaxUriBytes));
  return uri;
}

Result<CompletionRef> ReadCompletion(const json::Object& params) {
  json::FieldReader r(params);
  CompletionRef out;
  AIP_ASSIGN_OR_RETURN(auto ref, r.Nested("ref", json::Need::kRequired));
  AIP_RETURN_IF_ERROR(ref->String("type", out.type, json::Need::kRequired, 64));
  if (out.type == "ref/prompt") {
    AIP_RETURN_IF_ERROR(ref->String("name", out.name, json::Need::kRequired, kMaxNameBytes));
  } else if (out.type == "ref/resource") {
    AIP_RETURN_IF_ERROR(ref->String("uri", out.uri, json::Need::kRequired, kMaxUriBytes));
  } else {
    return ref->Fail("type", "must be \"ref/prompt\" or \"ref/resource\"");
  }
  AIP_ASSIGN_OR_RETURN(auto argument, r.Nested("argument", json::Need::kRequired));
  AIP_RETURN_IF_ERROR(argument->String("name", out.argument_name, json::Need::kRequired, kMaxNameBytes));
  AIP_RETURN_IF_ERROR(argument->String("value", out.argument_value, json::Need::kOptional, kMaxUriBytes));
  out.argument = &argument->object();
  return out;
}

Result<InitializeParams> ReadInitialize(const json::Object& params) {
  json::FieldReader r(params);
  InitializeParams out;
  AIP_RETURN_IF_ERROR(r.String("protocolVersion", out.protocol_version, json::Need::kRequired, kMaxVersionBytes));
  AIP_RETURN_IF_ERROR(r.ObjectMember("capabilities", out.capabilities));
  return out;
}

Result<std::string> ReadLogLevel(const json::Object& params) {
  std::string level;
  AIP_RETURN_IF_ERROR(json::FieldReader(params).String("level", level, json::Need::kRequired, 32));
  return level;
}

Result<std::optional<std::string>> ReadCursor(const json::Object& params) {
  const json::Value* c = params.if_contains("cursor");
  if (c == nullptr || c->is_null()) return std::optional<std::string>();
  std::string cursor;
  AIP_RETURN_IF_ERROR(json::FieldReader(params).String("cursor", cursor, json::Need::kRequired, kMaxCursorBytes));
  return std::optional<std::string>(std::move(cursor));
}

Result<Continuation> ReadContinuation(const json::Object& params) {
  json::FieldReader r(params);
  Continuation out;
  if (const json::Value* state = params.if_contains("requestState"); state != nullptr && !state->is_null()) {
    std::string token;
    AIP_RETURN_IF_ERROR(r.String("requestState", token, json::Need::kRequired, kMaxRequestStateBytes));
    out.request_state = std::move(token);
  }
  AIP_RETURN_IF_ERROR(r.ObjectMember("inputResponses", out.input_responses));
  return out;
}

RpcError InvalidParams(const Error& why) { return RpcError{kInvalidParams, "Invalid params: " + why.message, std::nullopt}; }

}  // namespace aip::mcp
