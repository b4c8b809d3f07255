#include "aip/oauth/token_endpoint.h"

#include "aip/base/ascii.h"
#include "aip/base/field_reader.h"
#include "aip/base/json.h"
#include "aip/oauth/form.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {
namespace {

// Unavailable reports a malformed answer as the endpoint's failure, not the caller's input.
Status Unavailable(Status st) { return st.ok() ? st : Status(UnavailableError(st.error().message)); }

}  // namespace

std::string SafeErrorText(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

std::string_view ClientAuthName(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNone:
      return "none";
    case ClientAuth::kSecretBasic:
      return "client_secret_basic";
    case ClientAuth::kSecretPost:
      return "client_secret_post";
  }
  return "none";
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
  // An answer that is not what RFC 6749 §5.1 says is refused whole, naming the member; the
  // token itself never appears in a message.
  static const auto describe = std::make_shared<const json::Describe>(
      [](std::string_view pointer) { return "the token endpoint's answer: " + std::string(pointer); });
  json::FieldReader r(*answer, "", describe);
  AccessToken t;
  std::string type;
  std::int64_t expires_in = 0;
  AIP_RETURN_IF_ERROR(Unavailable(r.String("access_token", t.token, json::Need::kRequired, 16384)));
  if (t.token.empty()) return UnavailableError("the token endpoint's answer: /access_token: is empty");
  AIP_RETURN_IF_ERROR(Unavailable(r.String("token_type", type, json::Need::kRequired, 64)));
  if (AsciiLower(type) != "bearer") return UnavailableError("the token is not a bearer token");
  t.type = "Bearer";
  AIP_RETURN_IF_ERROR(Unavailable(r.Int("expires_in", expires_in, 0, 10LL * 365 * 24 * 3600)));
  if (expires_in > 0) t.expires = DefaultClock().Now() + std::chrono::seconds(expires_in);
  AIP_RETURN_IF_ERROR(Unavailable(r.String("scope", t.scope)));
  AIP_RETURN_IF_ERROR(Unavailable(r.String("refresh_token", t.refresh_token, json::Need::kOptional, 16384)));
  return t;
}

}  // namespace aip::oauth
