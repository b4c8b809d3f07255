#include "aip/mcp/stdio_transport.h"

#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace aip::mcp {

void LineWriter::Write(const json::Object& message) {
  std::string line = json::Serialize(message);
  line += '\n';
  std::lock_guard lock(mu_);
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // The reader is gone; nothing more to say.
    off += static_cast<std::size_t>(n);
  }
}

void ReadLines(int fd, std::size_t max_line_bytes, const std::function<void(std::string_view line)>& on_line,
               const std::function<void()>& on_oversized) {
  std::string buffer;
  bool oversized = false;  // Discarding the rest of a line that was too long.
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::size_t start = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      if (chunk[i] != '\n') continue;
      if (!oversized) {
        buffer.append(chunk + start, i - start);
        on_line(buffer);
      }
      buffer.clear();
      oversized = false;
      start = i + 1;
    }
    if (!oversized) buffer.append(chunk + start, static_cast<std::size_t>(n) - start);
    if (buffer.size() > max_line_bytes) {
      on_oversized();
      buffer.clear();
      oversized = true;
    }
  }
  if (!oversized && !buffer.empty()) on_line(buffer);
}

Status ServeStdio(McpServer& server, int in_fd, int out_fd, const StdioOptions& options) {
  LineWriter out(out_fd);
  Session session;
  session.id = "stdio";
  // Requests run on detached threads; `active` counts them so we return only after all answered.
  std::mutex active_mu;
  std::condition_variable active_cv;
  int active = 0;
  auto dispatch = [&](std::string_view line) {
    if (line.empty()) return;
    auto parsed = ParseMessage(line, options.max_line_bytes);
    if (auto* err = std::get_if<ErrorResponse>(&parsed)) {
      out.Write(ToJson(*err));
      return;
    }
    Message msg = std::move(std::get<Message>(parsed));
    if (!std::holds_alternative<Request>(msg)) {
      CallContext ctx;
      ctx.session = &session;
      server.Handle(msg, ctx);
      return;
    }
    {
      std::lock_guard lock(active_mu);
      if (active >= options.max_in_flight) {
        out.Write(MakeError(std::get<Request>(msg).id, kInternalError, "Server busy: too many requests in progress"));
        return;
      }
      ++active;
    }
    std::thread([&, msg = std::move(msg)]() {
      CallContext ctx;
      ctx.session = &session;
      ctx.notify = [&out](json::Object note) { out.Write(note); };
      if (auto response = server.Handle(msg, ctx)) out.Write(*response);
      std::lock_guard lock(active_mu);
      if (--active == 0) active_cv.notify_all();
    }).detach();
  };
  ReadLines(in_fd, options.max_line_bytes, dispatch,
            [&] { out.Write(MakeError(nullptr, kInvalidRequest, "Invalid Request: message larger than the limit")); });
  std::unique_lock lock(active_mu);
  active_cv.wait(lock, [&] { return active == 0; });
  return OkStatus();
}

}  // namespace aip::mcp
