#include "aip/mcp/session_seal.h"

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/json.h"
#include "aip/crypto/aead.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::mcp {
namespace {

constexpr std::string_view kPrefix = "s1.";
// Binds each sealed id to its purpose and format version.
constexpr std::string_view kAad = "aip legacy session v1";
// The longest id Open looks at: sealed capabilities are at most kMaxSessionCapabilityBytes.
constexpr std::size_t kMaxIdBytes = 8192;
// A clock this far ahead of the issuer's still accepts its ids.
constexpr std::chrono::seconds kClockSkew{60};

std::int64_t Seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

Result<std::shared_ptr<const SessionSealer>> SessionSealer::Create(ByteSpan secret, std::chrono::seconds max_age, const Clock* clock) {
  if (secret.size() < 32) return InvalidArgumentError("a session secret needs at least 32 bytes");
  if (max_age <= std::chrono::seconds(0)) return InvalidArgumentError("a session's max age must be positive");
  static constexpr std::string_view kLabel = "aip session seal key v1";
  crypto::Sha256Digest key = crypto::HmacSha256(secret, AsBytes(kLabel));
  crypto::SecretBytes derived(ByteSpan(key.data(), key.size()));
  crypto::SecureWipe(key);
  return std::shared_ptr<const SessionSealer>(new SessionSealer(std::move(derived), max_age, clock));
}

std::string SessionSealer::Seal(const Session& s) const {
  json::Object state{
      {"v", 1}, {"pv", s.protocol_version}, {"caps", s.client_capabilities}, {"owner", s.owner}, {"iat", Seconds(clock_->Now())}};
  std::string plain = json::Serialize(json::Value(std::move(state)));
  Bytes nonce = crypto::RandomBytes(crypto::kXChaChaNonceSize);
  auto sealed = crypto::XChaChaSeal(key_, nonce, AsBytes(plain), AsBytes(kAad));
  // Sealing with a valid 32-byte key and a 24-byte nonce cannot fail.
  Bytes out = std::move(nonce);
  out.insert(out.end(), sealed->begin(), sealed->end());
  return std::string(kPrefix) + Base64UrlEncode(out);
}

std::optional<Session> SessionSealer::Open(std::string_view id) const {
  if (!id.starts_with(kPrefix) || id.size() > kMaxIdBytes) return std::nullopt;
  auto raw = Base64UrlDecode(id.substr(kPrefix.size()));
  if (!raw || raw->size() < crypto::kXChaChaNonceSize + crypto::kXChaChaTagSize) return std::nullopt;
  ByteSpan all(*raw);
  auto plain = crypto::XChaChaOpen(key_, all.subspan(0, crypto::kXChaChaNonceSize), all.subspan(crypto::kXChaChaNonceSize), AsBytes(kAad));
  if (!plain) return std::nullopt;
  ByteSpan text = plain->RevealSecret();
  auto state = json::ParseJsonObject(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  // Only this code seals, so a well-sealed id of another shape is a newer format: not ours to read.
  if (!state) return std::nullopt;
  json::FieldReader r(*state);
  std::int64_t version = 0, iat = 0;
  std::string pv, owner;
  const json::Object* caps = nullptr;
  bool read = r.Int("v", version, 1, 1, json::Need::kRequired).ok() && r.String("pv", pv, json::Need::kRequired, 64).ok() &&
              r.ObjectMember("caps", caps, json::Need::kRequired).ok() && r.String("owner", owner, json::Need::kRequired, 1024).ok() &&
              r.Int("iat", iat, 0, std::int64_t{1} << 40, json::Need::kRequired).ok();
  if (!read) return std::nullopt;
  std::int64_t now = Seconds(clock_->Now());
  if (iat > now + kClockSkew.count() || now - iat > max_age_.count()) return std::nullopt;
  Session s;
  s.id = std::string(id);
  s.protocol_version = std::move(pv);
  s.client_capabilities = *caps;
  s.owner = std::move(owner);
  // The id is only ever handed out in answer to a successful initialize.
  s.initialized = true;
  return s;
}

}  // namespace aip::mcp
