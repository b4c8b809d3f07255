#include "aip/redis/client.h"

#include <charconv>

#include "aip/net/event_loop.h"
#include "aip/redis/connection.h"

namespace aip::redis {

Result<RedisOptions> ParseRedisUrl(std::string_view url) {
  bool tls = url.starts_with("rediss://");
  if (!tls && !url.starts_with("redis://"))
    return InvalidArgumentError("a Redis store is written redis://HOST[:PORT][/DB] (rediss:// for TLS)");
  std::string_view rest = url.substr(tls ? 9 : 8);
  if (rest.find('@') != std::string_view::npos) {
    return InvalidArgumentError("no password in the Redis URL: give it by password_env or password_file");
  }
  RedisOptions o;
  o.tls = tls;
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
  if (client->options_.tls) {
    AIP_ASSIGN_OR_RETURN(client->tls_, TlsContext::Create(client->options_.tls_ca_file));
  }
  AIP_ASSIGN_OR_RETURN(auto reply, client->Command({"PING"}));
  if (reply.type == Reply::Type::kError) return UnavailableError("redis: " + reply.text);
  return client;
}

RedisClient::~RedisClient() = default;

Result<std::unique_ptr<RedisConnection>> RedisClient::Open() {
  AIP_ASSIGN_OR_RETURN(auto c, RedisConnection::Open(options_, tls_));
  auto fail = [&](std::string why) {
    return UnavailableError("redis " + options_.host + ":" + std::to_string(options_.port) + ": " + why);
  };
  if (!options_.password.empty()) {
    ByteSpan p = options_.password.RevealSecret();
    auto r = c->Run({"AUTH", std::string_view(reinterpret_cast<const char*>(p.data()), p.size())});
    if (!r) return r.error();
    if (r->type == Reply::Type::kError) return fail("AUTH refused");  // Never echo the password.
  }
  if (options_.db != 0) {
    std::string db = std::to_string(options_.db);
    auto r = c->Run({"SELECT", db});
    if (!r) return r.error();
    if (r->type == Reply::Type::kError) return fail(r->text);
  }
  return c;
}

Result<std::unique_ptr<RedisConnection>> RedisClient::Take(bool* reused) {
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  // On an event loop too (net/event_loop.h): the connection awaited may be held by a request on
  // the same thread.
  if (!net::AwaitUntil(lock, returned_, deadline, [&] { return !idle_.empty() || open_ < options_.pool; })) {
    return UnavailableError("redis: every connection is busy");
  }
  if (!idle_.empty() && reused != nullptr) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    *reused = true;
    return c;
  }
  if (!idle_.empty()) {  // A new connection is asked for: this idle one makes room for it.
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

void RedisClient::Give(std::unique_ptr<RedisConnection> c) {
  std::lock_guard lock(mu_);
  if (c->broken()) {
    --open_;
  } else {
    idle_.push_back(std::move(c));
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
  AIP_ASSIGN_OR_RETURN(auto c, Take(&reused));
  auto reply = c->Run(args);
  Give(std::move(c));
  // A connection that sat idle may have been closed by a Redis that restarted since: one more
  // try on a new connection. (A command that did run and lost only its answer then reports a
  // replay — a refusal, never an acceptance.)
  if (!reply && reused) {
    AIP_ASSIGN_OR_RETURN(c, Take(nullptr));
    reply = c->Run(args);
    Give(std::move(c));
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

Result<Reply> LuaScript::Run(RedisClient& client, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& args) {
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
