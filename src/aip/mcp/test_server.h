// A small MCP server used by this module's tests: one tool of each kind, a resource, a template,
// a prompt and completions.
#pragma once

#include <memory>

#include "aip/mcp/server.h"

namespace aip::mcp::testing {

std::unique_ptr<McpServer> MakeTestServer();

// Meta returns a valid 2026-07-28 request _meta (plus extra members).
json::Object ModernMeta(json::Object extra = {});

}  // namespace aip::mcp::testing
