// ServeStdio runs an McpServer over newline-delimited JSON-RPC on two file descriptors (the
// stdio transport). Requests run on their own threads so `notifications/cancelled` can reach a
// running tool; output lines are written whole, one at a time. Returns at end of input, after
// the requests in progress have answered.
#pragma once

#include <cstddef>

#include "aip/base/status.h"
#include "aip/mcp/server.h"

namespace aip::mcp {

struct StdioOptions {
  std::size_t max_line_bytes = 4 * 1024 * 1024;
  // Requests served at once; beyond it a request is answered "server busy" at once instead of
  // getting a thread (a client cannot flood the process with threads).
  int max_in_flight = 64;
};

Status ServeStdio(McpServer& server, int in_fd, int out_fd, const StdioOptions& options = {});

}  // namespace aip::mcp
