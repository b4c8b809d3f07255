// RedisClient: a small, blocking Redis client for state several aip instances share (replay
// nonces, later rate limits). A bounded pool of connections, each command with a deadline on
// every read and write, AUTH and SELECT on connect; a connection that failed is dropped, never
// reused. Errors are kUnavailable, so callers fail closed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/redis/connection.h"

namespace aip::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  int db = 0;
  bool tls = false;                        // rediss://: the server's certificate must match host.
  std::string tls_ca_file;                 // TLS trust anchors (PEM); empty: the system's.
  crypto::SecretBytes password;            // Empty: no AUTH.
  std::chrono::milliseconds timeout{250};  // Connect, and each read or write.
  std::size_t pool = 8;                    // Connections kept at most; callers beyond wait.
};

// PoolUse: the connections a client holds — busy ones running a command, idle ones kept.
struct PoolUse {
  std::size_t busy = 0, idle = 0;
};

// ParseRedisUrl reads "redis://HOST[:PORT][/DB]", or "rediss://…" for TLS. A password in the
// URL is refused (it would sit in a configuration file): give it by password_env or password_file.
Result<RedisOptions> ParseRedisUrl(std::string_view url);

// Reply is one Redis reply.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  std::int64_t integer = 0;
  std::string text;  // Bulk string, status or error text.
  std::vector<Reply> elements;
};

class RedisClient {
 public:
  // Connect opens one connection (and PINGs) so a wrong address or password shows at start.
  static Result<std::shared_ptr<RedisClient>> Connect(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Command sends one command (binary-safe arguments) and returns its reply; a Redis error
  // reply is returned as a Reply of type kError, a transport failure as kUnavailable.
  Result<Reply> Command(const std::vector<std::string_view>& args);

  // OnCommand is told each command's time and whether it reached Redis (for metrics); set it
  // before the client is shared.
  void OnCommand(std::function<void(std::chrono::duration<double> took, bool ok)> observer) { observer_ = std::move(observer); }
  PoolUse pool_use();

 private:
  explicit RedisClient(RedisOptions options) : options_(std::move(options)) {}
  Result<std::unique_ptr<RedisConnection>> Open();
  Result<Reply> CommandOnce(const std::vector<std::string_view>& args);
  // Take hands out an idle connection (setting *reused) or opens one; with reused == nullptr
  // always a new one.
  Result<std::unique_ptr<RedisConnection>> Take(bool* reused);
  void Give(std::unique_ptr<RedisConnection> c);

  RedisOptions options_;
  std::shared_ptr<TlsContext> tls_;  // rediss:// only.
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  std::size_t open_ = 0;  // Connections taken or idle.
  std::function<void(std::chrono::duration<double>, bool)> observer_;
};

// LuaScript runs a Lua script by its digest (EVALSHA): the body crosses the network and is
// hashed by the server once (SCRIPT LOAD), not on every call — on a busy store that is most of a
// call's cost there. A server that lost its scripts (restarted, SCRIPT FLUSH) gets it again.
class LuaScript {
 public:
  explicit LuaScript(std::string_view body) : body_(body) {}
  // Run is EVAL body numkeys keys... args..., answered the same way.
  Result<Reply> Run(RedisClient& client, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& args);

 private:
  Result<std::string> Load(RedisClient& client);
  std::string_view body_;
  std::mutex mu_;
  std::string sha_;  // Empty until loaded.
};

}  // namespace aip::redis
