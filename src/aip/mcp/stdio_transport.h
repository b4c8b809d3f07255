// ServeStdio runs an McpServer over newline-delimited JSON-RPC on two file descriptors (the
// stdio transport). Requests run on their own threads so `notifications/cancelled` can reach a
// running tool; output lines are written whole, one at a time. Returns at end of input, after
// the requests in progress have answered.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>

#include "aip/base/json.h"
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

// LineWriter writes one JSON-RPC message per line to `fd`, whole lines only, from any thread.
// A reader that is gone ends the writing silently.
class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}
  void Write(const json::Object& message);

 private:
  int fd_;
  std::mutex mu_;
};

// ReadLines reads `fd` to its end and passes each newline-terminated line (without the newline)
// to `on_line`, and a last line without one. A line longer than `max_line_bytes` is not
// buffered: `on_oversized` is called once and the rest of it is skipped.
void ReadLines(int fd, std::size_t max_line_bytes, const std::function<void(std::string_view line)>& on_line,
               const std::function<void()>& on_oversized);

}  // namespace aip::mcp
