// RedisConnection: one connection to Redis over TCP, or TLS for rediss:// (the server's
// certificate checked against the trust anchors and its name or address). Commands go out in
// RESP and replies are parsed by hiredis's formatter and reader; the socket, the deadlines and
// TLS are ours, so both kinds of connection behave the same. A connection that failed once is
// broken for good: the pool drops it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/status.h"

struct redisReader;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace aip::redis {

struct RedisOptions;
struct Reply;

// ReplyReader turns the bytes a server sent into replies (hiredis's RESP parser), refusing
// malformed input and more than kMaxReplyBytes for one reply.
class ReplyReader {
 public:
  static constexpr std::size_t kMaxReplyBytes = 1 << 20;
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;
  Status Feed(std::string_view bytes);
  // Next is the next complete reply, or nullopt until more bytes come.
  Result<std::optional<Reply>> Next();

 private:
  redisReader* reader_;
  std::string buffer_;  // Bytes of a reply not yet complete.
};

// TlsContext holds what every TLS connection of one client shares: trust anchors, protocol floor.
class TlsContext {
 public:
  // Create trusts the system's anchors, or only those in `ca_file` (PEM) when given.
  static Result<std::shared_ptr<TlsContext>> Create(const std::string& ca_file);
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class RedisConnection {
 public:
  // Open connects (within options.timeout) and, for TLS, completes the handshake; every later
  // read or write has options.timeout too.
  static Result<std::unique_ptr<RedisConnection>> Open(const RedisOptions& options, const std::shared_ptr<TlsContext>& tls);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Run sends one command and reads its reply; a Redis error reply is a Reply of type kError,
  // a transport failure kUnavailable (and the connection is broken from then on).
  Result<Reply> Run(const std::vector<std::string_view>& args);
  bool broken() const { return broken_; }

 private:
  RedisConnection() = default;
  Status Fail(std::string why);
  Status WriteAll(std::string_view bytes);
  // ReadSome feeds what the socket has (waiting up to the deadline) to the reply reader.
  Status ReadSome();
  // WaitFor waits until the socket is ready for `events` or the deadline passes (the connection
  // then fails).
  Status WaitFor(short events);
  bool WouldBlock(long n, short& events) const;

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::shared_ptr<TlsContext> tls_;  // Outlives ssl_.
  ReplyReader reader_;
  std::string where_;  // "host:port", for messages.
  bool broken_ = false;
  std::chrono::milliseconds timeout_{0};
  std::chrono::steady_clock::time_point deadline_;  // Of the connect, then of the command running.
};

}  // namespace aip::redis
