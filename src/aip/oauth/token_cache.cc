#include "aip/oauth/token_cache.h"

#include <system_error>

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/file_io.h"
#include "aip/base/json.h"
#include "aip/crypto/sha.h"

namespace aip::oauth {

std::filesystem::path TokenCache::PathFor(const std::string& server_url) const {
  auto digest = crypto::Sha256(AsBytes(server_url));
  return dir_ / (HexEncode(ByteSpan(digest.data(), 16)) + ".json");
}

std::optional<CachedLogin> TokenCache::Load(const std::string& server_url) const {
  auto text = ReadFile(PathFor(server_url));
  if (!text) return std::nullopt;
  auto o = json::ParseJsonObject(*text);
  if (!o) return std::nullopt;
  // The file is ours, but read as untrusted: a damaged or foreign one is ignored, never trusted.
  json::FieldReader r(*o);
  CachedLogin c;
  std::string secret, auth, scope;
  std::int64_t expires_at = 0;
  std::vector<std::string> granted;
  Status s = r.String("server_url", c.server_url, json::Need::kRequired);
  if (s.ok()) s = r.String("issuer", c.issuer, json::Need::kRequired);
  if (s.ok()) s = r.String("access_token", c.token.token, json::Need::kOptional, 16384);
  if (s.ok()) s = r.String("refresh_token", c.token.refresh_token, json::Need::kOptional, 16384);
  if (s.ok()) s = r.String("scope", c.token.scope);
  if (s.ok()) s = r.Int("expires_at", expires_at, 0, std::int64_t{1} << 40);
  if (s.ok()) s = r.Strings("granted", granted);
  if (s.ok()) s = r.String("client_id", c.client.client_id, json::Need::kRequired);
  if (s.ok()) s = r.String("client_secret", secret);
  if (s.ok()) s = r.String("client_auth", auth);
  if (!s.ok() || c.server_url != server_url) return std::nullopt;
  c.token.type = "Bearer";
  if (expires_at > 0) c.token.expires = TimePoint(std::chrono::seconds(expires_at));
  c.granted.insert(granted.begin(), granted.end());
  if (!secret.empty()) c.client.client_secret = crypto::SecretBytes(AsBytes(secret));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()));
  c.client.auth = ClientAuthByName(auth).value_or(ClientAuth::kNone);
  if (c.issuer.empty() || c.client.client_id.empty() || (c.token.token.empty() && c.token.refresh_token.empty())) {
    return std::nullopt;
  }
  return c;
}

Status TokenCache::Save(const CachedLogin& c) const {
  AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(dir_));
  json::Array granted;
  for (const auto& s : c.granted) granted.emplace_back(s);
  json::Object o{{"server_url", c.server_url},      {"issuer", c.issuer},
                 {"access_token", c.token.token},   {"refresh_token", c.token.refresh_token},
                 {"scope", c.token.scope},          {"granted", std::move(granted)},
                 {"client_id", c.client.client_id}, {"client_auth", ClientAuthName(c.client.auth)}};
  if (c.token.expires) {
    o["expires_at"] = std::chrono::duration_cast<std::chrono::seconds>(c.token.expires->time_since_epoch()).count();
  }
  if (!c.client.client_secret.empty()) {
    auto s = c.client.client_secret.RevealSecret();
    o["client_secret"] = std::string(s.begin(), s.end());
  }
  return WriteFileAtomic(PathFor(c.server_url), json::Serialize(json::Value(std::move(o))), 0600);
}

Result<bool> TokenCache::Forget(const std::string& server_url) const {
  std::error_code ec;
  bool removed = std::filesystem::remove(PathFor(server_url), ec);
  if (ec) return InternalError("cannot remove " + PathFor(server_url).string() + ": " + ec.message());
  return removed;
}

}  // namespace aip::oauth
