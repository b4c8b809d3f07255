#include "aip/oauth/token_endpoint.h"

#include "aip/base/ascii.h"
#include "aip/base/json.h"
#include "aip/oauth/form.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {
std::string SafeErrorText(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

std::optional<ClientAuth> ClientAuthByName(std::string_view name) {
  if (name == "none") return ClientAuth::kNone;
  if (name == "client_secret_basic") return ClientAuth::kSecretBasic;
  if (name == "client_secret_post") return ClientAuth::kSecretPost;
  return std::nullopt;
}

std::string FormBody(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += FormEncode(name) + "=" + FormEncode(value);
  }
  return out;
}

Result<AccessToken> RequestToken(const std::string& endpoint, const OAuthClient& client, const FormParams& params,
                                 const net::HttpClientOptions& http) {
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(endpoint));
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(endpoint));
  FormParams all = params;
  net::Headers h;
  h.Set("content-type", "application/x-www-form-urlencoded");
  h.Set("accept", "application/json");
  switch (client.auth) {
    case ClientAuth::kSecretBasic:
      h.Set("authorization", BasicAuthorization(client.client_id, client.client_secret));
      break;
    case ClientAuth::kSecretPost:
      all.emplace_back("client_id", client.client_id);
      all.emplace_back("client_secret", std::string(AsStringView(client.client_secret.RevealSecret())));
      break;
    case ClientAuth::kNone:
      all.emplace_back("client_id", client.client_id);
      break;
  }
  std::string body = FormBody(all);
  net::HttpClient conn(url, http);
  auto res = conn.Send("POST", url.target, h, body);
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(body.data()), body.size()));
  if (!res) return UnavailableError("token endpoint " + endpoint + ": " + res.error().message);
  auto answer = json::ParseJsonObject(res->body);
  if (res->status != 200 || !answer) {
    std::string why = answer ? StringOf(*answer, "error") : "";
    if (why.empty()) why = "status " + std::to_string(res->status);
    std::string description = answer ? StringOf(*answer, "error_description") : "";
    if (!description.empty()) why += " (" + description + ")";
    return UnauthenticatedError("the token endpoint refused: " + SafeErrorText(why));
  }
  AccessToken t;
  t.token = StringOf(*answer, "access_token");
  if (t.token.empty()) return UnavailableError("no access_token in the token endpoint's answer");
  if (AsciiLower(StringOf(*answer, "token_type")) != "bearer") return UnavailableError("the token is not a bearer token");
  t.type = "Bearer";
  if (const json::Value* in = answer->if_contains("expires_in"); in != nullptr && in->is_int64() && in->get_int64() > 0) {
    t.expires = DefaultClock().Now() + std::chrono::seconds(in->get_int64());
  }
  t.scope = StringOf(*answer, "scope");
  t.refresh_token = StringOf(*answer, "refresh_token");
  return t;
}

}  // namespace aip::oauth
