// The flags that say how aip authenticates to an MCP server — the request proof, RFC 9421, an
// API key, a bearer token, OAuth client credentials or a user login — shared by `aip tools`,
// `aip call` and `aip proxy`, so every command that reaches a server takes the same ones.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aip/mcp/client.h"
#include "cli.h"

namespace aip::cli {

// Signing is how aip calls: each request carries a proof made with the local identity, for the
// server's audience (its URL, unless --audience says otherwise).
struct SigningOptions {
  bool no_sign = false;
  bool sign = false;  // Sign although a key or token is sent (delegation: the token's client is this agent).
  std::string audience;
  bool print_request = false;
  std::string server_did;
  bool require_signed_result = false;
  double require_server_trust = -1;  // < 0: not asked; else the result signer's least mcp-server score.
  bool http_signature = false;
  bool web_bot_auth = false;    // Sign each HTTP request as a Web Bot Auth agent (docs/web-bot-auth.md).
  std::string signature_agent;  // The operator's origin sent in Signature-Agent.
  std::string api_key_env;      // Name of the variable holding an API key (never the key on argv).
  std::string bearer_env;       // Name of the variable holding an access token.
  std::string client_id;        // OAuth client credentials: a token is fetched for the server.
  std::string client_secret_env;
  std::vector<std::string> scopes;
  bool login = false;  // OAuth authorization code + PKCE: the user signs in when the server asks.
  std::string client_metadata_url;
  std::string client_issuer;
  std::string browser;
  std::uint16_t redirect_port = 0;
  std::string login_timeout = "5m";
};

void AddSigningFlags(CLI::App* cmd, SigningOptions& o);

// SignsCalls says whether requests carry this agent's proof: yes, unless --no-sign, or an API
// key, token, client credentials or --login name the caller instead (then only with --sign).
bool SignsCalls(const SigningOptions& s);

// CredentialFromEnv reads a secret from the named variable (a usage error when unset).
std::string CredentialFromEnv(const std::string& name);

// HttpHookFor is the per-request HTTP hook the flags ask for: the credential header, an RFC 9421
// signature, --print-request. Null when none is asked for.
mcp::HttpRequestSigner HttpHookFor(const Context& ctx, const std::string& url, const SigningOptions& s);

// ServerTrustCheck is --require-server-trust's check (null when not asked): the DID that signed
// a result must score at least MIN in "mcp-server" from this agent's anchors (its trust store's
// and itself), as `aip trust score` computes it; the store is re-read at most once a second.
std::function<Status(const std::string& signer_did)> ServerTrustCheck(const Context& ctx, const SigningOptions& s);

// TokensDir is where --login keeps sign-ins for the next command: $AIP_HOME/tokens/.
std::filesystem::path TokensDir(const Context& ctx);

// LoginFor is the --login authorizer (null without --login), its sign-in kept in TokensDir.
std::shared_ptr<mcp::HttpAuthorizer> LoginFor(const Context& ctx, const std::string& url, const SigningOptions& s);

}  // namespace aip::cli
