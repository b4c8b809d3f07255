// ServeMain: the command line shared by aip's example MCP servers:
//   NAME --stdio | --http HOST:PORT [--threads N] [--allow-origin O]... [--allow-host H]...
//        [--tls-cert FILE --tls-key FILE] [--max-body BYTES] [--replay-store redis://…]
// It serves until stdin closes (stdio) or SIGINT/SIGTERM (HTTP, with a graceful stop).
#pragma once

#include <functional>

#include "aip/mcp/server.h"

namespace aip::examples {

// `configure`, if set, adds example-specific options before parsing.
int ServeMain(mcp::McpServer& server, int argc, char** argv);

}  // namespace aip::examples
