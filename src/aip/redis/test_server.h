// TestRedisServer (tests only): a redis-server of our own on 127.0.0.1 at a free port, without
// persistence, stopped with the test.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "aip/redis/client.h"

namespace aip::redis {

class TestRedisServer {
 public:
  // With `tls`, the port speaks TLS only (give the certificate's flags in `extra`).
  explicit TestRedisServer(std::vector<std::string> extra = {}, bool tls = false) {
    port_ = FreePort();
    std::vector<std::string> args{"redis-server",
                                  "--port",
                                  tls ? "0" : std::to_string(port_),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no",
                                  "--maxmemory-policy",
                                  "noeviction",
                                  "--loglevel",
                                  "warning"};
    if (tls) args.insert(args.end(), {"--tls-port", std::to_string(port_)});
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    // Ready once it accepts a connection (a password-protected one still answers PING's error).
    for (int i = 0; i < 200 && !Accepting(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~TestRedisServer() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::uint16_t port() const { return port_; }
  RedisOptions Options() const {
    RedisOptions o;
    o.port = port_;
    o.timeout = std::chrono::milliseconds(500);
    return o;
  }

 private:
  static std::uint16_t FreePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
  }
  bool Accepting() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace aip::redis
