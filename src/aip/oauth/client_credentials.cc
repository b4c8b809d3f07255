#include "aip/oauth/client_credentials.h"

#include "aip/base/ascii.h"
#include "aip/base/encoding.h"
#include "aip/oauth/introspection.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {
namespace {

Result<std::string> DiscoverTokenEndpoint(const std::string& resource_url, const net::HttpClientOptions& http) {
  AIP_ASSIGN_OR_RETURN(json::Object prm, ProtectedResourceMetadata(resource_url, http));
  const json::Value* servers = prm.if_contains("authorization_servers");
  if (servers == nullptr || !servers->is_array() || servers->get_array().empty() || !servers->get_array()[0].is_string()) {
    return UnavailableError(resource_url + " names no authorization server");
  }
  std::string issuer(servers->get_array()[0].get_string());
  AIP_ASSIGN_OR_RETURN(json::Object as, AuthorizationServerMetadata(issuer, http));
  const json::Value* endpoint = as.if_contains("token_endpoint");
  if (endpoint == nullptr || !endpoint->is_string()) return UnavailableError(issuer + " has no token_endpoint");
  return std::string(endpoint->get_string());
}

}  // namespace

Result<AccessToken> TokenForResource(const std::string& resource_url, const ClientCredentials& client) {
  std::string endpoint = client.token_endpoint;
  if (endpoint.empty()) {
    AIP_ASSIGN_OR_RETURN(endpoint, DiscoverTokenEndpoint(resource_url, client.http));
  }
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(endpoint));
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(endpoint));
  std::string body = "grant_type=client_credentials&resource=" + FormEncode(resource_url);
  if (!client.scopes.empty()) {
    std::string scope;
    for (const auto& s : client.scopes) scope += (scope.empty() ? "" : " ") + s;
    body += "&scope=" + FormEncode(scope);
  }
  net::Headers h;
  h.Set("content-type", "application/x-www-form-urlencoded");
  h.Set("accept", "application/json");
  std::string credentials = FormEncode(client.client_id) + ":" + FormEncode(AsStringView(client.client_secret.RevealSecret()));
  h.Set("authorization", "Basic " + Base64Encode(AsBytes(credentials)));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(credentials.data()), credentials.size()));
  net::HttpClient http(url, client.http);
  AIP_ASSIGN_OR_RETURN(net::HttpResponse res, http.Send("POST", url.target, h, body));
  auto answer = json::ParseJsonObject(res.body);
  if (res.status != 200 || !answer) {
    std::string why = answer && answer->contains("error") && answer->at("error").is_string()
                          ? std::string(answer->at("error").get_string())
                          : "status " + std::to_string(res.status);
    return UnauthenticatedError("the token endpoint refused: " + why);
  }
  AccessToken t;
  const json::Value* token = answer->if_contains("access_token");
  const json::Value* type = answer->if_contains("token_type");
  if (token == nullptr || !token->is_string() || token->get_string().empty()) return UnavailableError("no access_token in the answer");
  if (type == nullptr || !type->is_string() || AsciiLower(type->get_string()) != "bearer") {
    return UnavailableError("the token is not a bearer token");
  }
  t.token = std::string(token->get_string());
  t.type = "Bearer";
  if (const json::Value* in = answer->if_contains("expires_in"); in != nullptr && in->is_int64() && in->get_int64() > 0) {
    t.expires = DefaultClock().Now() + std::chrono::seconds(in->get_int64());
  }
  if (const json::Value* sc = answer->if_contains("scope"); sc != nullptr && sc->is_string()) t.scope = std::string(sc->get_string());
  return t;
}

}  // namespace aip::oauth
