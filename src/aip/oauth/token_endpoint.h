// The client's side of an OAuth token endpoint (RFC 6749 §3.2): one POST of a grant, with the
// client authenticated as it registered — client_secret_basic, client_secret_post, or none (a
// public client, which PKCE protects) — and the answer read strictly: a bearer token or an error.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aip/base/clock.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/net/http_client.h"

namespace aip::oauth {

struct AccessToken {
  std::string token;
  std::string type;  // "Bearer".
  std::optional<TimePoint> expires;
  std::string scope;
  std::string refresh_token;
};

enum class ClientAuth { kNone, kSecretBasic, kSecretPost };

// ClientAuthByName maps token_endpoint_auth_method values; nullopt for methods aip lacks.
std::optional<ClientAuth> ClientAuthByName(std::string_view name);
// ClientAuthName is the token_endpoint_auth_method value of `auth`.
std::string_view ClientAuthName(ClientAuth auth);

struct OAuthClient {
  std::string client_id;
  crypto::SecretBytes client_secret;  // Empty for a public client.
  ClientAuth auth = ClientAuth::kSecretBasic;
};

using FormParams = std::vector<std::pair<std::string, std::string>>;

// RequestToken posts `params` (grant_type and the grant's fields) to `endpoint` as `client`.
// A refusal is kUnauthenticated with the server's error code and description.
Result<AccessToken> RequestToken(const std::string& endpoint, const OAuthClient& client, const FormParams& params,
                                 const net::HttpClientOptions& http);

// SafeErrorText keeps at most 200 printable ASCII characters of a server's error text, so a
// hostile server cannot write control sequences to the user's terminal.
std::string SafeErrorText(std::string_view text);

// FormBody encodes parameters as an application/x-www-form-urlencoded body or query.
std::string FormBody(const FormParams& params);

}  // namespace aip::oauth
