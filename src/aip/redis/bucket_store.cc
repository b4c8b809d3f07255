#include "aip/redis/bucket_store.h"

#include <cstdio>

#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"

namespace aip::redis {
namespace {

// KEYS: the buckets. ARGV: rate and burst of each, in turn. Each bucket is a hash {t: tokens,
// l: last refill in ms}; a missing one is full. Answers {0, 0} (admitted: one token taken from
// each) or {i, wait_ms} (bucket i is the emptiest: nothing taken).
constexpr std::string_view kScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = {}
local limited, wait = 0, 0
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local v = redis.call('HMGET', key, 't', 'l')
  local have = tonumber(v[1]) or burst
  local last = tonumber(v[2]) or now
  have = math.min(burst, have + math.max(0, now - last) / 1000 * rate)
  tokens[i] = have
  if have < 1 then
    local w = math.ceil((1 - have) / rate * 1000)
    if w > wait then wait, limited = w, i end
  end
end
if limited > 0 then return {limited, wait} end
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local left = tokens[i] - 1
  redis.call('HSET', key, 't', string.format('%.17g', left), 'l', now)
  redis.call('PEXPIRE', key, math.ceil((burst - left) / rate * 1000) + 1000)
end
return {0, 0}
)lua";

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Result<std::optional<policy::Limited>> RedisBucketStore::TakeAll(const std::vector<policy::BucketTake>& takes) {
  std::vector<std::string> keys, numbers;
  for (const auto& t : takes) {
    keys.push_back(prefix_ + Base64UrlEncode(crypto::Sha256(AsBytes(t.key))));
    numbers.push_back(Number(t.rate));
    numbers.push_back(Number(t.burst));
  }
  static LuaScript script(kScript);
  AIP_ASSIGN_OR_RETURN(Reply r, script.Run(*client_, std::vector<std::string_view>(keys.begin(), keys.end()),
                                           std::vector<std::string_view>(numbers.begin(), numbers.end())));
  if (r.type == Reply::Type::kError) return UnavailableError("redis rate limits: " + r.text);
  if (r.type != Reply::Type::kArray || r.elements.size() != 2 || r.elements[0].type != Reply::Type::kInteger ||
      r.elements[1].type != Reply::Type::kInteger || r.elements[0].integer < 0 ||
      r.elements[0].integer > static_cast<std::int64_t>(takes.size())) {
    return UnavailableError("redis rate limits: unexpected answer");
  }
  if (r.elements[0].integer == 0) return std::optional<policy::Limited>();
  const auto& hit = takes[static_cast<std::size_t>(r.elements[0].integer - 1)];
  return std::optional<policy::Limited>(policy::Limited{hit.limit_id, std::chrono::milliseconds(r.elements[1].integer)});
}

}  // namespace aip::redis
