// JSON-RPC 2.0 messages as MCP uses them (one message per stdio line or HTTP POST body; no
// batches since 2025-06-18). Parsing is strict: the text goes through ParseJson first, then the
// envelope is checked here, so a malformed message is answered with the right error code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::mcp {

// Standard JSON-RPC and MCP error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kHeaderMismatch = -32020;                   // 2026-07-28
inline constexpr int kMissingRequiredClientCapability = -32021;  // 2026-07-28
inline constexpr int kUnsupportedProtocolVersion = -32022;       // 2026-07-28

// RpcError is an error object: {code, message, data?}.
struct RpcError {
  int code = kInternalError;
  std::string message;
  std::optional<json::Value> data;
  json::Object ToJson() const;
};

struct Request {
  json::Value id;  // String or integer, never null.
  std::string method;
  json::Object params;  // Empty when absent.
  bool has_params = false;
};
struct Notification {
  std::string method;
  json::Object params;
};
struct Response {
  json::Value id;
  json::Value result;
};
struct ErrorResponse {
  json::Value id;  // Null when the request id could not be read.
  RpcError error;
};
using Message = std::variant<Request, Notification, Response, ErrorResponse>;

// ParseMessage reads one message from text; on failure returns the error response to send
// (-32700 for bad JSON, -32600 for a bad envelope) with the id when it could be read.
std::variant<Message, ErrorResponse> ParseMessage(std::string_view text, std::size_t max_bytes);
std::variant<Message, ErrorResponse> ParseMessage(const json::Value& value);
// ParseMessage(json::Value&&) moves params and results out of `value` instead of copying them.
std::variant<Message, ErrorResponse> ParseMessage(json::Value&& value);

json::Object ToJson(const Request& r);
json::Object ToJson(const Notification& n);
json::Object ToJson(const Response& r);
json::Object ToJson(const ErrorResponse& e);
json::Object ToJson(const Message& m);

json::Object MakeResult(const json::Value& id, json::Value result);
json::Object MakeError(const json::Value& id, int code, std::string message, std::optional<json::Value> data = std::nullopt);

}  // namespace aip::mcp
