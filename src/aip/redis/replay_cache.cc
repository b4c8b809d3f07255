#include "aip/redis/replay_cache.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::redis {
namespace {

// One round trip, atomic on the server. KEYS: the horizon, the nonce. ARGV: the credential's
// creation (unix seconds, or "" for none), the nonce's lifetime in ms, now rounded up to a whole
// second (the horizon of a store that has none: credential times are whole seconds). Answers
// {1 fresh | 0 replayed | -1 predates the horizon, the horizon}.
constexpr std::string_view kBody = R"lua(
local since = redis.call('GET', KEYS[1])
if not since then
  redis.call('SET', KEYS[1], ARGV[3], 'NX')
  since = redis.call('GET', KEYS[1])
end
since = tonumber(since)
if ARGV[1] ~= '' and tonumber(ARGV[1]) < since then return {-1, since} end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return {1, since} end
return {0, since}
)lua";

LuaScript& Script() {
  static LuaScript script(kBody);
  return script;
}

std::int64_t UnixSeconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

Result<std::shared_ptr<RedisReplayCache>> RedisReplayCache::Create(std::shared_ptr<RedisClient> client, std::string ns) {
  if (ns.empty() || ns.size() > 64 || ns.find_first_of("{} \r\n") != std::string::npos) {
    return InvalidArgumentError("the Redis namespace must be 1 to 64 characters without spaces or braces");
  }
  // A store that evicts keys under memory pressure would forget nonces: refused. (A managed
  // Redis may not answer CONFIG; then the operator's word in the docs has to do.)
  AIP_ASSIGN_OR_RETURN(Reply policy, client->Command({"CONFIG", "GET", "maxmemory-policy"}));
  if (policy.type == Reply::Type::kArray && policy.elements.size() == 2 && policy.elements[1].text != "noeviction") {
    return FailedPreconditionError("the Redis replay store evicts keys (maxmemory-policy " + policy.elements[1].text +
                                   "): it must be noeviction, or a forgotten nonce could be replayed");
  }
  std::shared_ptr<RedisReplayCache> cache(new RedisReplayCache(std::move(client), std::move(ns)));
  AIP_RETURN_IF_ERROR(cache->Refresh());
  return cache;
}

Status RedisReplayCache::Refresh() {
  // Learn (or start) the store's horizon with a nonce of our own, forgotten at once.
  TimePoint now = DefaultClock().Now();
  return Run("aip-replay-store-check|" + crypto::RandomId(16), std::nullopt, now + std::chrono::milliseconds(1), now);
}

Status RedisReplayCache::Remember(std::string_view key, TimePoint created, TimePoint expires, TimePoint now) {
  return Run(key, created, expires, now);
}

Status RedisReplayCache::Remember(std::string_view key, TimePoint expires, TimePoint now) { return Run(key, std::nullopt, expires, now); }

Status RedisReplayCache::Run(std::string_view key, std::optional<TimePoint> created, TimePoint expires, TimePoint now) {
  if (expires <= now) return UnauthenticatedError("expired");
  // A fixed-size key whatever the credential carried.
  std::string nonce_key = nonce_prefix_ + Base64UrlEncode(crypto::Sha256(AsBytes(key)));
  std::string created_text = created ? std::to_string(UnixSeconds(*created)) : "";
  std::string ttl = std::to_string(std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(expires - now).count()));
  std::string start = std::to_string(UnixSeconds(std::chrono::ceil<std::chrono::seconds>(now)));
  AIP_ASSIGN_OR_RETURN(Reply r, Script().Run(*client_, {since_key_, nonce_key}, {created_text, ttl, start}));
  if (r.type == Reply::Type::kError) return UnavailableError("redis replay store: " + r.text);
  if (r.type != Reply::Type::kArray || r.elements.size() != 2 || r.elements[0].type != Reply::Type::kInteger ||
      r.elements[1].type != Reply::Type::kInteger) {
    return UnavailableError("redis replay store: unexpected answer");
  }
  TimePoint since{std::chrono::seconds(r.elements[1].integer)};
  if (since > horizon()) set_horizon(since);  // Moved by a store that lost its memory.
  switch (r.elements[0].integer) {
    case 1:
      return OkStatus();
    case 0:
      return UnauthenticatedError("nonce already used (replayed request)");
    default:
      return PredatesHorizon();
  }
}

}  // namespace aip::redis
