#include "aip/oauth/client_credentials.h"

#include <tuple>

#include "aip/oauth/metadata.h"

namespace aip::oauth {
namespace {

// DiscoverTokenEndpoint returns the token endpoint and the resource identifier the server's
// metadata publishes (tokens are asked for exactly that value).
Result<std::pair<std::string, std::string>> DiscoverTokenEndpoint(const std::string& resource_url, const net::HttpClientOptions& http) {
  AIP_ASSIGN_OR_RETURN(ProtectedResource prm, ProtectedResourceMetadata(resource_url, http));
  if (prm.authorization_servers.empty()) return UnavailableError(resource_url + " names no authorization server");
  const std::string& issuer = prm.authorization_servers[0];
  AIP_ASSIGN_OR_RETURN(AuthorizationServer as, AuthorizationServerMetadata(issuer, http));
  if (as.token_endpoint.empty()) return UnavailableError(issuer + " has no token_endpoint");
  return std::pair(as.token_endpoint, prm.resource);
}

}  // namespace

Result<AccessToken> TokenForResource(const std::string& resource_url, const ClientCredentials& client) {
  std::string endpoint = client.token_endpoint;
  std::string resource = resource_url;
  if (endpoint.empty()) {
    AIP_ASSIGN_OR_RETURN(auto found, DiscoverTokenEndpoint(resource_url, client.http));
    std::tie(endpoint, resource) = std::move(found);
  }
  FormParams params = {{"grant_type", "client_credentials"}, {"resource", resource}};
  std::string scope;
  for (const auto& s : client.scopes) scope += (scope.empty() ? "" : " ") + s;
  if (!scope.empty()) params.emplace_back("scope", scope);
  OAuthClient as_client{client.client_id, client.client_secret, ClientAuth::kSecretBasic};
  return RequestToken(endpoint, as_client, params, client.http);
}

}  // namespace aip::oauth
