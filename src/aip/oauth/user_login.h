// UserLogin: the MCP authorization flow for a local user (authorization code + PKCE), as an
// mcp::HttpAuthorizer. It starts when the server answers 401: the server's Protected Resource
// Metadata (from the challenge's resource_metadata, else well-known) must cover the server's URL
// and names the authorization server, whose metadata must name exactly that issuer and support
// PKCE S256. The client is the pre-registered one, else a Client ID Metadata Document URL where
// the server accepts those, else one registered on the spot (RFC 7591) — per authorization
// server, never carried to another. The user signs in in a browser; the redirect comes back to a
// loopback listener and must carry this login's state and, when the server sends or promises it,
// its exact issuer (RFC 9207). The code is exchanged with the verifier for a token for exactly
// the resource the metadata names (RFC 8707).
//
// Scopes asked for: the challenge's, else the metadata's scopes_supported, plus --scope ones;
// offline_access too when the server offers it (a refresh token is used before a new login). A
// 403 insufficient_scope asks again for the union of what was granted and what is challenged.
// With a cache, a sign-in outlives the process: the next one starts from the cached token.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "aip/mcp/client.h"
#include "aip/oauth/redirect_listener.h"
#include "aip/oauth/token_cache.h"
#include "aip/oauth/token_endpoint.h"

namespace aip::oauth {

struct UserLoginOptions {
  std::string server_url;  // The MCP endpoint.
  // A pre-registered client (a secret makes it confidential). It is used at `client_issuer` only
  // when that is set, else at the first authorization server met.
  std::string client_id;
  crypto::SecretBytes client_secret;
  std::string client_issuer;
  std::string client_metadata_url;  // CIMD: an https URL serving this client's metadata.
  std::string client_name = "aip";
  std::vector<std::string> scopes;  // Asked for besides what the server names.
  // OpenBrowser shows the user the authorization URL (starts a browser, or prints it).
  std::function<Status(const std::string& url)> open_browser;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::uint16_t redirect_port = 0;
  net::HttpClientOptions http;
  // Set: the sign-in is kept here and picked up by the next process (TokenCache); its refresh
  // token is used before a new browser login.
  std::optional<TokenCache> cache;
};

class UserLogin final : public mcp::HttpAuthorizer {
 public:
  explicit UserLogin(UserLoginOptions options);
  ~UserLogin() override;

  Status Authorize(net::Headers& headers) override;
  Status OnChallenge(int status, const net::Headers& response_headers) override;

 private:
  struct Server;  // What discovery found: resource, issuer, metadata.
  Result<Server> Discover(const std::string& metadata_url);
  Result<OAuthClient> ClientFor(const Server& server);
  Status SignIn(const Server& server, const OAuthClient& client);
  Status Refresh(const Server& server);
  void Remember();  // Saves the sign-in to the cache, if there is one.

  UserLoginOptions options_;
  std::mutex mu_;
  std::unique_ptr<RedirectListener> listener_;
  std::map<std::string, OAuthClient> clients_;  // By issuer.
  std::string preregistered_issuer_;            // Where the pre-registered client was first used.
  std::set<std::string> requested_;
  std::set<std::string> granted_;
  AccessToken token_;
  std::string token_issuer_;
};

}  // namespace aip::oauth
