// What an MCP client reads of a server's answers, read one way with json::FieldReader: a server
// is as untrusted as any peer, so a member the client uses with the wrong type or size refuses
// the answer, naming the member by its JSON Pointer; members it does not use are not looked at.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::mcp {

// Discovery: a 2026-07-28 server/discover result.
struct Discovery {
  std::vector<std::string> supported_versions;
  json::Object capabilities;
  json::Object server_info;  // _meta["io.modelcontextprotocol/serverInfo"]
};
Result<Discovery> ReadDiscovery(const json::Object& result);

// Initialized: a legacy initialize result.
struct Initialized {
  std::string protocol_version;
  json::Object capabilities;
  json::Object server_info;
};
Result<Initialized> ReadInitialized(const json::Object& result);

// Page: one page of a list result — its items (under `key`: "tools", "prompts", …) and the
// cursor of the next page (absent or empty: the last page).
struct Page {
  const json::Array* items = nullptr;  // Points into the result read.
  std::string next_cursor;
};
Result<Page> ReadPage(const json::Object& result, std::string_view key);

// InputAsked: a 2026-07-28 result asking the client for input before the server goes on
// (resultType "input_required"): the questions by key, and the sealed state to send back.
struct InputAsked {
  const json::Object* input_requests = nullptr;  // Points into the result read.
  std::optional<std::string> request_state;
};
// ReadInputRequired: nullopt for any other result.
Result<std::optional<InputAsked>> ReadInputRequired(const json::Object& result);

// ToolSchemas maps each listed tool's name to its inputSchema (what a 2026-07-28 client mirrors
// into Mcp-Param-* headers). An item that is not a tool definition (no string name, no object
// inputSchema) is left out: it cannot be called with mirrored headers, and one bad item does not
// make the others uncallable. At most `max_tools` are kept.
std::map<std::string, json::Object> ToolSchemas(const json::Array& tools, std::size_t max_tools = 10000);

// ErrorText: "CODE: message" of a JSON-RPC error object, for an error a caller shows.
std::string ErrorText(const json::Object& error);

}  // namespace aip::mcp
