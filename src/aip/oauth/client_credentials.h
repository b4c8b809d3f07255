// The client side of OAuth for service callers: the client-credentials grant (RFC 6749 §4.4)
// for an MCP server, found the way the MCP authorization spec says — the server's Protected
// Resource Metadata names its authorization server, whose metadata names the token endpoint —
// and asked for a token for exactly that resource (RFC 8707 "resource").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/net/http_client.h"
#include "aip/oauth/token_endpoint.h"

namespace aip::oauth {

struct ClientCredentials {
  std::string client_id;
  crypto::SecretBytes client_secret;
  std::vector<std::string> scopes;
  std::string token_endpoint;  // Empty: discovered from the resource.
  net::HttpClientOptions http;
};

// TokenForResource obtains an access token for the MCP server at `resource_url`.
Result<AccessToken> TokenForResource(const std::string& resource_url, const ClientCredentials& client);

}  // namespace aip::oauth
