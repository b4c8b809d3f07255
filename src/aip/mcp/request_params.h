// The params of the MCP requests aip itself reads, read one way for the server, the gateway, the
// proxy and the client: json::FieldReader with bounds, each error naming the member by its JSON
// Pointer, and each turned into JSON-RPC Invalid params (-32602) by InvalidParams. Members a
// reader does not name are the handler's (tools see their own arguments).
#pragma once

#include <optional>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/mcp/jsonrpc.h"

namespace aip::mcp {

inline constexpr std::size_t kMaxNameBytes = 512;                // Tool and prompt names (a gateway's are namespaced).
inline constexpr std::size_t kMaxUriBytes = 8 * 1024;            // resources/read and completion refs.
inline constexpr std::size_t kMaxCursorBytes = 1024;             // Opaque list cursors.
inline constexpr std::size_t kMaxVersionBytes = 64;              // protocolVersion.
inline constexpr std::size_t kMaxRequestStateBytes = 64 * 1024;  // A sealed requestState.

// NamedCall: tools/call and prompts/get. `arguments` points into the params read (absent or
// null: none).
struct NamedCall {
  std::string name;
  const json::Object* arguments = nullptr;
};
Result<NamedCall> ReadNamedCall(const json::Object& params);

// ReadUri: resources/read's uri.
Result<std::string> ReadUri(const json::Object& params);

// CompletionRef: completion/complete's ref ("ref/prompt" with a name, or "ref/resource" with a
// uri) and its argument (a name, and the value typed so far).
struct CompletionRef {
  std::string type;
  std::string name;  // ref/prompt
  std::string uri;   // ref/resource
  const json::Object* argument = nullptr;
  std::string argument_name;
  std::string argument_value;
};
Result<CompletionRef> ReadCompletion(const json::Object& params);

// InitializeParams: a legacy initialize's protocolVersion and capabilities (absent: none).
struct InitializeParams {
  std::string protocol_version;
  const json::Object* capabilities = nullptr;
};
Result<InitializeParams> ReadInitialize(const json::Object& params);

// ReadLogLevel: logging/setLevel's level (the name is checked by the caller).
Result<std::string> ReadLogLevel(const json::Object& params);

// ReadCursor: a list request's cursor (absent or null: the first page).
Result<std::optional<std::string>> ReadCursor(const json::Object& params);

// Continuation: a 2026-07-28 request that answers an input_required result carries the sealed
// requestState it was given and the client's inputResponses (each absent or null: none).
struct Continuation {
  std::optional<std::string> request_state;
  const json::Object* input_responses = nullptr;
};
Result<Continuation> ReadContinuation(const json::Object& params);

// InvalidParams: the JSON-RPC error for a reader's refusal ("Invalid params: /name: is required").
RpcError InvalidParams(const Error& why);

}  // namespace aip::mcp
