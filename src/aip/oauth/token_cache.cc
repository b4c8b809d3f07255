#include "aip/oauth/token_cache.h"

#include <system_error>

#include "aip/base/encoding.h"
#include "aip/base/file_io.h"
#include "aip/base/json.h"
#include "aip/crypto/sha.h"

namespace aip::oauth {
namespace {

std::string_view AuthName(ClientAuth a) {
  switch (a) {
    case ClientAuth::kNone: return "none";
    case ClientAuth::kSecretBasic: return "client_secret_basic";
    case ClientAuth::kSecretPost: return "client_secret_post";
  }
  return "none";
}

}  // namespace

std::filesystem::path TokenCache::PathFor(const std::string& server_url) const {
  auto digest = crypto::Sha256(AsBytes(server_url));
  return dir_ / (HexEncode(ByteSpan(digest.data(), 16)) + ".json");
}

std::optional<CachedLogin> TokenCache::Load(const std::string& server_url) const {
  auto text = ReadFile(PathFor(server_url));
  if (!text) return std::nullopt;
  auto o = json::ParseJsonObject(*text);
  if (!o) return std::nullopt;
  CachedLogin c;
  auto str = [&](std::string_view key) { return std::string(json::OptionalString(*o, key).value_or("")); };
  c.server_url = str("server_url");
  if (c.server_url != server_url) return std::nullopt;
  c.issuer = str("issuer");
  c.token.token = str("access_token");
  c.token.type = "Bearer";
  c.token.refresh_token = str("refresh_token");
  c.token.scope = str("scope");
  if (const json::Value* e = o->if_contains("expires_at"); e != nullptr && e->is_int64()) {
    c.token.expires = TimePoint(std::chrono::seconds(e->get_int64()));
  }
  if (const json::Value* g = o->if_contains("granted"); g != nullptr && g->is_array()) {
    for (const auto& s : g->get_array()) {
      if (s.is_string()) c.granted.insert(std::string(s.get_string()));
    }
  }
  c.client.client_id = str("client_id");
  std::string secret = str("client_secret");
  if (!secret.empty()) c.client.client_secret = crypto::SecretBytes(AsBytes(secret));
  c.client.auth = ClientAuthByName(str("client_auth")).value_or(ClientAuth::kNone);
  if (c.issuer.empty() || c.client.client_id.empty() || (c.token.token.empty() && c.token.refresh_token.empty())) {
    return std::nullopt;
  }
  return c;
}

Status TokenCache::Save(const CachedLogin& c) const {
  AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(dir_));
  json::Array granted;
  for (const auto& s : c.granted) granted.emplace_back(s);
  json::Object o{{"server_url", c.server_url},   {"issuer", c.issuer},
                 {"access_token", c.token.token}, {"refresh_token", c.token.refresh_token},
                 {"scope", c.token.scope},        {"granted", std::move(granted)},
                 {"client_id", c.client.client_id}, {"client_auth", AuthName(c.client.auth)}};
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
