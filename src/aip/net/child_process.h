// ChildProcess: a spawned program with pipes on stdin/stdout, its stderr forwarded line by line
// to a callback (our log), and a clean shutdown: close stdin, wait, SIGTERM, wait, SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aip/base/status.h"

namespace aip::net {

class ChildProcess {
 public:
  // Spawn runs argv[0] (searched in PATH) with `argv`; `on_stderr` receives each stderr line.
  // With `env` ("NAME=value" entries) the child gets exactly that environment, not ours.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                     std::function<void(std::string_view)> on_stderr = nullptr,
                                                     const std::vector<std::string>* env = nullptr);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // WriteLine writes `line` plus '\n' to the child's stdin within `timeout` (on an event loop
  // without holding its thread). A child that stops reading holds the write only that long: then
  // kUnavailable ("stopped reading"), and a part of the line may be in the pipe — the stream is
  // broken and the child must not be given another line.
  Status WriteLine(std::string_view line, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // ReadLine reads one line from the child's stdout (without '\n'); kUnavailable at EOF,
  // kResourceExhausted past `max_bytes`, kUnavailable("timeout") after `timeout`.
  Result<std::string> ReadLine(std::size_t max_bytes, std::chrono::milliseconds timeout);
  // Shutdown closes stdin and escalates to SIGTERM and SIGKILL; returns the exit status.
  int Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(2));
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::thread stderr_thread_;
  int exit_status_ = -1;
  bool reaped_ = false;
};

}  // namespace aip::net
