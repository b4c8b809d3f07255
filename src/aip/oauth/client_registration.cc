#include "aip/oauth/client_registration.h"

#include <algorithm>

#include "aip/base/field_reader.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {
Result<ClientAuth> PreferredClientAuth(const AuthorizationServer& as_metadata, bool has_secret) {
  if (!has_secret) return ClientAuth::kNone;
  std::vector<std::string> supported = as_metadata.token_endpoint_auth_methods_supported;
  if (supported.empty()) supported = {"client_secret_basic"};
  auto allows = [&](std::string_view m) { return std::find(supported.begin(), supported.end(), m) != supported.end(); };
  if (allows("client_secret_basic")) return ClientAuth::kSecretBasic;
  if (allows("client_secret_post")) return ClientAuth::kSecretPost;
  return FailedPreconditionError("the authorization server accepts no client secret method aip supports");
}

Result<OAuthClient> RegisterClient(const AuthorizationServer& as_metadata, const ClientMetadata& metadata,
                                   const net::HttpClientOptions& http) {
  const std::string& endpoint = as_metadata.registration_endpoint;
  if (endpoint.empty()) return FailedPreconditionError("the authorization server offers no dynamic client registration");
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(endpoint));
  // A public client (PKCE, no secret) where the server allows one, else a confidential one.
  const std::vector<std::string>& supported = as_metadata.token_endpoint_auth_methods_supported;
  ClientAuth wanted = ClientAuth::kNone;
  if (!supported.empty() && std::find(supported.begin(), supported.end(), "none") == supported.end()) {
    AIP_ASSIGN_OR_RETURN(wanted, PreferredClientAuth(as_metadata, true));
  }
  json::Object request;
  request["client_name"] = metadata.client_name;
  json::Array uris;
  for (const auto& u : metadata.redirect_uris) uris.emplace_back(u);
  request["redirect_uris"] = std::move(uris);
  json::Array grants{"authorization_code"};
  if (metadata.wants_refresh_token) grants.emplace_back("refresh_token");
  request["grant_types"] = std::move(grants);
  request["response_types"] = json::Array{"code"};
  request["token_endpoint_auth_method"] = ClientAuthName(wanted);
  request["application_type"] = "native";
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(endpoint));
  net::Headers h;
  h.Set("content-type", "application/json");
  h.Set("accept", "application/json");
  net::HttpClient conn(url, http);
  AIP_ASSIGN_OR_RETURN(net::HttpResponse res, conn.Send("POST", url.target, h, json::Serialize(request)));
  auto answer = json::ParseJsonObject(res.body);
  if ((res.status != 201 && res.status != 200) || !answer) {
    return UnavailableError("client registration at " + endpoint + " failed: HTTP " + std::to_string(res.status));
  }
  // RFC 7591 §3.2.1: the answer's members are read strictly, errors naming the member (never
  // the secret's value).
  static const auto describe = std::make_shared<const json::Describe>(
      [](std::string_view pointer) { return "client registration's answer: " + std::string(pointer); });
  json::FieldReader r(*answer, "", describe);
  OAuthClient client;
  std::string secret, method;
  Status read = r.String("client_id", client.client_id, json::Need::kRequired, 1024);
  if (read.ok()) read = r.String("client_secret", secret, json::Need::kOptional, 4096);
  if (read.ok()) read = r.String("token_endpoint_auth_method", method, json::Need::kOptional, 64);
  if (!read.ok()) return UnavailableError(read.error().message);
  if (client.client_id.empty()) return UnavailableError("client registration returned no client_id");
  client.client_secret = crypto::SecretBytes(AsBytes(secret));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()));
  client.auth = wanted;
  if (!method.empty()) {
    auto known = ClientAuthByName(method);
    if (!known) return UnavailableError("client registration chose an unsupported token_endpoint_auth_method: " + method);
    client.auth = *known;
  }  // Else the method asked for stands (RFC 7591 §3.2.1), even if a secret came unasked.
  if (client.auth != ClientAuth::kNone && client.client_secret.empty()) {
    return UnavailableError("client registration chose a secret-based method but issued no secret");
  }
  return client;
}

}  // namespace aip::oauth
