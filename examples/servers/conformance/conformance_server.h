// The fixtures the official MCP conformance suite expects of a server under test (tools such as
// test_simple_text, resources under test://, prompts, and the multi-round-trip tools), built on
// aip's server SDK so the suite exercises the SDK itself rather than a demo's domain.
#pragma once

#include <memory>

#include "aip/mcp/server.h"

namespace aip::examples {

std::unique_ptr<mcp::McpServer> MakeConformanceServer();

}  // namespace aip::examples
