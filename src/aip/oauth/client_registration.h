// Dynamic Client Registration (RFC 7591): a client with no pre-registered identity at an
// authorization server registers itself as a native app with a loopback redirect URI, and keeps
// the client id (and secret, if the server issues one) for that server alone.
#pragma once

#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/net/http_client.h"
#include "aip/oauth/metadata.h"
#include "aip/oauth/token_endpoint.h"

namespace aip::oauth {

struct ClientMetadata {
  std::string client_name = "aip";
  std::vector<std::string> redirect_uris;
  bool wants_refresh_token = true;
};

// PreferredClientAuth picks how a client authenticates at the token endpoint of the server
// described by `as_metadata`: none without a secret (a public client); with one,
// client_secret_basic, else client_secret_post (RFC 8414's default list is client_secret_basic).
Result<ClientAuth> PreferredClientAuth(const AuthorizationServer& as_metadata, bool has_secret);

// RegisterClient registers at the server's registration_endpoint.
Result<OAuthClient> RegisterClient(const AuthorizationServer& as_metadata, const ClientMetadata& metadata,
                                   const net::HttpClientOptions& http);

}  // namespace aip::oauth
