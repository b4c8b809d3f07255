#include "aip/redis/client.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <charconv>

#include "aip/net/busy_poll.h"

namespace aip::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

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
      out.type = r->type == REDIS_REPLY_STRING ? Reply::Type::kString
                 : r->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                 : Reply::Type::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default: break;  // REDIS_REPLY_NIL.
  }
  return out;
}

// Run sends one command on `c`; false when the connection can no longer be used.
Result<Reply> Run(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto failed = [c] { return UnavailableError(std::string("redis: ") + (c->err != 0 ? c->errstr : "no reply")); };
  if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) return failed();
  for (int written = 0; !written;) {
    if (redisBufferWrite(c, &written) != REDIS_OK) return failed();
  }
  // The answer comes within a round trip: at low load, poll for it rather than sleep, as the
  // handler threads do for their next task (net/busy_poll.h). The caller's own task counts.
  net::busy_poll::Poll(1, [fd = c->fd] {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  });
  void* raw = nullptr;
  if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) return failed();
  auto* reply = static_cast<redisReply*>(raw);
  Reply out = Convert(reply);
  freeReplyObject(reply);
  return out;
}

}  // namespace

Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  if (url.starts_with("rediss://")) {
    return InvalidArgumentError("rediss:// (TLS) is not supported by this build: reach Redis on a private network or through a TLS tunnel");
  }
  if (!url.starts_with("redis://")) return InvalidArgumentError("a Redis store is written redis://HOST[:PORT][/DB]");
  std::string_view rest = url.substr(8);
  if (rest.find('@') != std::string_view::npos) {
    return InvalidArgumentError("no password in the Redis URL: give it by password_env or password_file");
  }
  RedisOptions o;
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), o.db);
      if (ec != std::errc() || p != db.data() + db.size() || o.db < 0 || o.db > 1000) {
        return InvalidArgumentError("the Redis database must be a number");
      }
    }
  }
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("bad Redis host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return InvalidArgumentError("bad Redis host");
      port = authority.substr(close + 2);
    }
  } else if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return InvalidArgumentError("the Redis URL needs a host");
  o.host = std::string(host);
  if (!port.empty()) {
    unsigned n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n == 0 || n > 65535) return InvalidArgumentError("bad Redis port");
    o.port = static_cast<std::uint16_t>(n);
  }
  return o;
}

Result<std::shared_ptr<RedisClient>> RedisClient::Connect(RedisOptions options) {
  if (options.pool == 0) options.pool = 1;
  std::shared_ptr<RedisClient> client(new RedisClient(std::move(options)));
  AIP_ASSIGN_OR_RETURN(auto reply, client->Command({"PING"}));
  if (reply.type == Reply::Type::kError) return UnavailableError("redis: " + reply.text);
  return client;
}

RedisClient::~RedisClient() {
  for (redisContext* c : idle_) redisFree(c);
}

Result<redisContext*> RedisClient::Open() {
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(options_.timeout));
  if (c == nullptr) return UnavailableError("redis: cannot allocate a connection");
  auto fail = [&](std::string why) {
    redisFree(c);
    return UnavailableError("redis " + options_.host + ":" + std::to_string(options_.port) + ": " + why);
  };
  if (c->err != 0) return fail(c->errstr);
  if (redisSetTimeout(c, ToTimeval(options_.timeout)) != REDIS_OK) return fail("cannot set a timeout");
  if (!options_.password.empty()) {
    ByteSpan p = options_.password.RevealSecret();
    auto r = Run(c, {"AUTH", std::string_view(reinterpret_cast<const char*>(p.data()), p.size())});
    if (!r) return fail(r.error().message);
    if (r->type == Reply::Type::kError) return fail("AUTH refused");  // Never echo the password.
  }
  if (options_.db != 0) {
    std::string db = std::to_string(options_.db);
    auto r = Run(c, {"SELECT", db});
    if (!r) return fail(r.error().message);
    if (r->type == Reply::Type::kError) return fail(r->text);
  }
  return c;
}

Result<redisContext*> RedisClient::Take(bool* reused) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  while (idle_.empty() && open_ >= options_.pool) {
    if (returned_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= options_.pool) {
      return UnavailableError("redis: every connection is busy");
    }
  }
  if (!idle_.empty() && reused != nullptr) {
    redisContext* c = idle_.back();
    idle_.pop_back();
    *reused = true;
    return c;
  }
  if (!idle_.empty()) {  // A new connection is asked for: this idle one makes room for it.
    redisFree(idle_.back());
    idle_.pop_back();
    --open_;
  }
  ++open_;
  lock.unlock();
  auto c = Open();
  if (!c) {
    std::lock_guard relock(mu_);
    --open_;
    returned_.notify_one();
  }
  return c;
}

void RedisClient::Give(redisContext* c) {
  std::lock_guard lock(mu_);
  if (c->err != 0) {
    redisFree(c);
    --open_;
  } else {
    idle_.push_back(c);
  }
  returned_.notify_one();
}

PoolUse RedisClient::pool_use() {
  std::lock_guard lock(mu_);
  return PoolUse{open_ - idle_.size(), idle_.size()};
}

Result<Reply> RedisClient::Command(const std::vector<std::string_view>& args) {
  auto started = std::chrono::steady_clock::now();
  auto reply = CommandOnce(args);
  if (observer_) observer_(std::chrono::steady_clock::now() - started, reply.ok());
  return reply;
}

Result<Reply> RedisClient::CommandOnce(const std::vector<std::string_view>& args) {
  bool reused = false;
  AIP_ASSIGN_OR_RETURN(redisContext * c, Take(&reused));
  auto reply = Run(c, args);
  Give(c);
  // A connection that sat idle may have been closed by a Redis that restarted since: one more
  // try on a new connection. (A command that did run and lost only its answer then reports a
  // replay — a refusal, never an acceptance.)
  if (!reply && reused) {
    AIP_ASSIGN_OR_RETURN(c, Take(nullptr));
    reply = Run(c, args);
    Give(c);
  }
  return reply;
}

Result<std::string> LuaScript::Load(RedisClient& client) {
  AIP_ASSIGN_OR_RETURN(Reply r, client.Command({"SCRIPT", "LOAD", body_}));
  if (r.type != Reply::Type::kString || r.text.size() != 40) {
    return UnavailableError("redis: SCRIPT LOAD failed" + (r.type == Reply::Type::kError ? ": " + r.text : std::string()));
  }
  std::lock_guard lock(mu_);
  sha_ = r.text;
  return r.text;
}

Result<Reply> LuaScript::Run(RedisClient& client, const std::vector<std::string_view>& keys,
                             const std::vector<std::string_view>& args) {
  std::string sha;
  {
    std::lock_guard lock(mu_);
    sha = sha_;
  }
  if (sha.empty()) {
    AIP_ASSIGN_OR_RETURN(sha, Load(client));
  }
  std::string count = std::to_string(keys.size());
  auto run = [&](std::string_view digest) {
    std::vector<std::string_view> argv{"EVALSHA", digest, count};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return client.Command(argv);
  };
  auto reply = run(sha);
  if (reply.ok() && reply->type == Reply::Type::kError && reply->text.starts_with("NOSCRIPT")) {
    AIP_ASSIGN_OR_RETURN(sha, Load(client));
    reply = run(sha);
  }
  return reply;
}

}  // namespace aip::redis
