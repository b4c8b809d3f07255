#include "aip/net/child_process.h"

#include "aip/net/event_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace aip::net {
namespace {

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const std::vector<std::string>& argv,
                                                          std::function<void(std::string_view)> on_stderr,
                                                          const std::vector<std::string>* env) {
  if (argv.empty()) return InvalidArgumentError("empty command");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return UnavailableError(std::string("pipe: ") + std::strerror(errno));
  }
  // Our end of the child's stdin does not block (its end does): WriteLine waits with a deadline.
  ::fcntl(in[1], F_SETFL, ::fcntl(in[1], F_GETFL) | O_NONBLOCK);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (env != nullptr) {
    for (const auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env != nullptr ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return UnavailableError("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->stdin_fd_ = in[1];
  child->stdout_fd_ = out[0];
  int err_fd = err[0];
  child->stderr_thread_ = std::thread([err_fd, on_stderr = std::move(on_stderr)] {
    std::string line;
    char buf[4096];
    while (true) {
      ssize_t n = ::read(err_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] == '\n') {
          if (on_stderr) on_stderr(line);
          line.clear();
        } else if (line.size() < 64 * 1024) {
          line += buf[i];
        }
      }
    }
    if (!line.empty() && on_stderr) on_stderr(line);
    ::close(err_fd);
  });
  ::signal(SIGPIPE, SIG_IGN);  // A dead child must give EPIPE, not kill us.
  return child;
}

ChildProcess::~ChildProcess() { Shutdown(std::chrono::milliseconds(500)); }

Status ChildProcess::WriteLine(std::string_view line, std::chrono::milliseconds timeout) {
  if (stdin_fd_ < 0) return UnavailableError("child stdin is closed");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string data(line);
  data += '\n';
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(stdin_fd_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The pipe is full: the child has not read what it was sent. Wait for room (on an event
      // loop the request's fiber waits, not the loop's thread), but not for ever.
      int r = WaitReady(stdin_fd_, POLLOUT, deadline);
      if (r == 0) return UnavailableError("the child stopped reading its input (a line not taken within the deadline)");
      continue;
    }
    if (n < 0) return UnavailableError(std::string("write to child: ") + std::strerror(errno));
    off += static_cast<std::size_t>(n);
  }
  return OkStatus();
}

Result<std::string> ChildProcess::ReadLine(std::size_t max_bytes, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > max_bytes) return ResourceExhaustedError("child sent a line longer than the limit");
    if (stdout_fd_ < 0) return UnavailableError("child stdout is closed");
    // On an event loop the request's fiber waits, not the loop's thread (event_loop.h).
    int r = WaitReady(stdout_fd_, POLLIN, deadline);
    if (r == 0) return UnavailableError("timeout waiting for the child");
    char buf[65536];
    ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      CloseFd(stdout_fd_);
      return UnavailableError("child closed its stdout");
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

bool ChildProcess::Running() {
  if (reaped_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    exit_status_ = status;
    return false;
  }
  return true;
}

int ChildProcess::Shutdown(std::chrono::milliseconds grace) {
  if (pid_ < 0) return exit_status_;
  CloseFd(stdin_fd_);
  auto wait_for = [&](std::chrono::milliseconds d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      if (!Running()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return !Running();
  };
  if (!wait_for(grace)) {
    ::kill(pid_, SIGTERM);
    if (!wait_for(grace)) {
      ::kill(pid_, SIGKILL);
      wait_for(std::chrono::seconds(5));
    }
  }
  CloseFd(stdout_fd_);
  if (stderr_thread_.joinable()) stderr_thread_.join();
  pid_ = -1;
  return exit_status_;
}

}  // namespace aip::net
