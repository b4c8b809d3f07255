#include "aip/redis/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "aip/net/busy_poll.h"
#include "aip/net/event_loop.h"
#include "aip/net/resolve.h"
#include "aip/redis/client.h"

namespace aip::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = r->type == REDIS_REPLY_STRING   ? Reply::Type::kString
                 : r->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                 : Reply::Type::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;  // REDIS_REPLY_NIL.
  }
  return out;
}

std::string TlsError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "TLS failed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// ConnectTcp connects to one of the host's addresses within `timeout`; -1 and `why` otherwise.
int ConnectTcp(const RedisOptions& o, std::string& why) {
  // The name lookup keeps the timeout too (and on an event loop does not hold its thread):
  // net's resolver, as the HTTP client uses; each address is then read back without DNS.
  auto deadline = std::chrono::steady_clock::now() + o.timeout;
  auto addresses = net::DeadlineResolver::System().Resolve(o.host, o.timeout);
  if (!addresses) {
    why = "cannot resolve: " + addresses.error().message;
    return -1;
  }
  addrinfo* found = nullptr;
  addrinfo** tail = &found;
  std::string port = std::to_string(o.port);
  for (const std::string& ip : *addresses) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (::getaddrinfo(ip.c_str(), port.c_str(), &hints, tail) == 0) {
      while (*tail != nullptr) tail = &(*tail)->ai_next;
    }
  }
  int fd = -1;
  why = "no address to connect to";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      // On an event loop the request's fiber waits, not the loop's thread (net/event_loop.h).
      int err = net::FinishConnect(fd, deadline);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  if (found != nullptr) ::freeaddrinfo(found);
  if (fd < 0) return -1;
  // The socket stays non-blocking: each read and write waits (WaitFor) within the command's
  // deadline, on an event loop without holding its thread.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

namespace {

// Bounds a reply declares before hiredis sees it: hiredis allocates an array for whatever count
// a header names ("*1000000000"), so a hostile server could make us allocate gigabytes.
constexpr std::int64_t kMaxElements = 1024;
constexpr int kMaxDepth = 7;

// Scan walks one RESP value at `at`: its end, nullopt when more bytes are needed, or an error.
Result<std::optional<std::size_t>> Scan(std::string_view b, std::size_t at, int depth) {
  if (depth > kMaxDepth) return InvalidArgumentError("reply nested too deep");
  std::size_t eol = b.find("\r\n", at);
  if (at >= b.size() || eol == std::string_view::npos) return std::optional<std::size_t>();
  char type = b[at];
  std::string_view line = b.substr(at + 1, eol - at - 1);
  std::size_t next = eol + 2;
  if (type == '+' || type == '-' || type == ':') return std::optional<std::size_t>(next);
  if (type != '$' && type != '*') return InvalidArgumentError("malformed reply");
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
  if (ec != std::errc() || p != line.data() + line.size() || n < -1) return InvalidArgumentError("malformed reply");
  if (n == -1) return std::optional<std::size_t>(next);
  if (type == '$') {
    if (n > static_cast<std::int64_t>(ReplyReader::kMaxReplyBytes)) return InvalidArgumentError("reply too large");
    std::size_t end = next + static_cast<std::size_t>(n) + 2;
    return end <= b.size() ? std::optional<std::size_t>(end) : std::optional<std::size_t>();
  }
  if (n > kMaxElements) return InvalidArgumentError("reply has too many elements");
  for (std::int64_t i = 0; i < n; ++i) {
    AIP_ASSIGN_OR_RETURN(auto end, Scan(b, next, depth + 1));
    if (!end) return end;
    next = *end;
  }
  return std::optional<std::size_t>(next);
}

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreate()) {}

ReplyReader::~ReplyReader() {
  if (reader_ != nullptr) redisReaderFree(reader_);
}

Status ReplyReader::Feed(std::string_view bytes) {
  // Our replies are a few numbers; a server sending more than this is broken or hostile.
  if (buffer_.size() + bytes.size() > kMaxReplyBytes) return InvalidArgumentError("reply too large");
  buffer_.append(bytes);
  // Whole replies only reach hiredis, once their declared sizes were checked.
  std::size_t at = 0;
  while (at < buffer_.size()) {
    AIP_ASSIGN_OR_RETURN(auto end, Scan(buffer_, at, 0));
    if (!end) break;
    at = *end;
  }
  if (at == 0) return OkStatus();
  if (reader_ == nullptr || redisReaderFeed(reader_, buffer_.data(), at) != REDIS_OK) return InvalidArgumentError("malformed reply");
  buffer_.erase(0, at);
  return OkStatus();
}

Result<std::optional<Reply>> ReplyReader::Next() {
  void* raw = nullptr;
  if (reader_ == nullptr || redisReaderGetReply(reader_, &raw) != REDIS_OK) return InvalidArgumentError("malformed reply");
  if (raw == nullptr) return std::optional<Reply>();
  Reply out = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return std::optional<Reply>(std::move(out));
}

Result<std::shared_ptr<TlsContext>> TlsContext::Create(const std::string& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return InternalError("redis: " + TlsError());
  std::shared_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (loaded != 1) return InvalidArgumentError("redis TLS trust anchors" + (ca_file.empty() ? "" : " " + ca_file) + ": " + TlsError());
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::unique_ptr<RedisConnection>> RedisConnection::Open(const RedisOptions& o, const std::shared_ptr<TlsContext>& tls) {
  std::unique_ptr<RedisConnection> c(new RedisConnection());
  c->where_ = o.host + ":" + std::to_string(o.port);
  c->timeout_ = o.timeout;
  c->deadline_ = std::chrono::steady_clock::now() + o.timeout;
  std::string why;
  c->fd_ = ConnectTcp(o, why);
  if (c->fd_ < 0) return UnavailableError("redis " + c->where_ + ": " + why);
  if (tls) {
    c->tls_ = tls;
    c->ssl_ = SSL_new(tls->get());
    if (c->ssl_ == nullptr || SSL_set_fd(c->ssl_, c->fd_) != 1) return c->Fail(TlsError());
    // The certificate must name the host we asked for: its DNS name, or its IP address.
    in6_addr ip{};
    bool literal = ::inet_pton(AF_INET, o.host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, o.host.c_str(), &ip) == 1;
    if (literal) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl_), o.host.c_str()) != 1) return c->Fail(TlsError());
    } else if (SSL_set1_host(c->ssl_, o.host.c_str()) != 1 || SSL_set_tlsext_host_name(c->ssl_, o.host.c_str()) != 1) {
      return c->Fail(TlsError());
    }
    int connected;
    while ((connected = SSL_connect(c->ssl_)) != 1) {
      int e = SSL_get_error(c->ssl_, connected);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
      // A server that does not speak TLS may say nothing at all.
      if (!c->WaitFor(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT).ok()) return c->Fail("TLS handshake: no answer in time");
    }
    if (connected != 1) {
      long verify = SSL_get_verify_result(c->ssl_);
      return c->Fail(verify != X509_V_OK
                         ? std::string("TLS: the server's certificate is not trusted: ") + X509_verify_cert_error_string(verify)
                         : "TLS handshake: " + TlsError());
    }
  }
  return c;
}

RedisConnection::~RedisConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

Status RedisConnection::Fail(std::string why) {
  broken_ = true;
  return UnavailableError("redis " + where_ + ": " + why);
}

Status RedisConnection::WaitFor(short events) {
  switch (net::WaitReady(fd_, events, deadline_)) {
    case 1:
      return OkStatus();
    case 0:
      return Fail(events == POLLIN ? "timed out" : "timed out writing");
    default:
      return Fail(std::strerror(errno));
  }
}

// WouldBlock: the last send/recv (or SSL_write/SSL_read, whose result was `n`) found the socket
// not ready; `events` is then what to wait for.
bool RedisConnection::WouldBlock(long n, short& events) const {
  if (ssl_ != nullptr) {
    int e = SSL_get_error(ssl_, static_cast<int>(n));
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return false;
    events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return true;
  }
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Status RedisConnection::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    errno = 0;
    long n = ssl_ != nullptr ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                             : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    short events = POLLOUT;
    if (n <= 0 && WouldBlock(n, events)) {
      AIP_RETURN_IF_ERROR(WaitFor(events));
      continue;
    }
    if (n <= 0) return Fail("write failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return OkStatus();
}

Status RedisConnection::ReadSome() {
  char buf[16384];
  while (true) {
    errno = 0;
    long n = ssl_ != nullptr ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    short events = POLLIN;
    if (n <= 0 && WouldBlock(n, events)) {
      // The answer comes within a round trip: off an event loop, at low load, poll for it rather
      // than sleep, as the handler threads do for their next task (net/busy_poll.h).
      if (events == POLLIN && !net::OnEventLoop() && net::busy_poll::Poll(1, [fd = fd_] {
            pollfd p{fd, POLLIN, 0};
            return ::poll(&p, 1, 0) != 0;
          })) {
        continue;
      }
      AIP_RETURN_IF_ERROR(WaitFor(events));
      continue;
    }
    if (n == 0) return Fail("the server closed the connection");
    if (n < 0) return Fail(ssl_ != nullptr ? TlsError() : std::strerror(errno));
    if (Status fed = reader_.Feed(std::string_view(buf, static_cast<std::size_t>(n))); !fed.ok()) return Fail(fed.message());
    return OkStatus();
  }
}

Result<Reply> RedisConnection::Run(const std::vector<std::string_view>& args) {
  if (broken_) return UnavailableError("redis " + where_ + ": connection broken");
  deadline_ = std::chrono::steady_clock::now() + timeout_;  // The whole command: sent and answered.
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* command = nullptr;
  int len = redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (len < 0) return Fail("cannot format the command");
  Status written = WriteAll(std::string_view(command, static_cast<std::size_t>(len)));
  redisFreeCommand(command);
  AIP_RETURN_IF_ERROR(written);
  for (;;) {
    auto next = reader_.Next();
    if (!next) return Fail(next.error().message);
    if (*next) return std::move(**next);
    AIP_RETURN_IF_ERROR(ReadSome());
  }
}

}  // namespace aip::redis
