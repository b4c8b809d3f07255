#include "signing_flags.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "aip/httpsig/web_bot_auth.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/oauth/client_credentials.h"
#include "aip/oauth/user_login.h"
#include "aip/trust/trust_store.h"
#include "aip/trust/trust_view.h"
#include "browser.h"

namespace aip::cli {

std::function<Status(const std::string& signer_did)> ServerTrustCheck(const Context& ctx, const SigningOptions& s) {
  if (s.require_server_trust < 0) return nullptr;
  std::vector<std::string> anchors;
  if (auto me = OwnDid(ctx)) anchors.push_back(*me);
  std::shared_ptr<trust::TrustStore> store = Check(trust::TrustStore::Open(trust::DefaultTrustDatabasePath().string()));
  auto view = std::make_shared<trust::TrustView>(store, trust::TrustParams{}, anchors);
  auto last = std::make_shared<std::atomic<std::int64_t>>(0);
  double min = s.require_server_trust;
  return [view, last, min](const std::string& did) -> Status {
    std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(DefaultClock().Now().time_since_epoch()).count();
    if (last->exchange(now_s) != now_s) AIP_RETURN_IF_ERROR(view->Refresh());  // At most once a second.
    trust::TrustResult r = view->Score(did, "mcp-server", DefaultClock().Now());
    if (r.score >= min) return OkStatus();
    char figure[48];
    std::snprintf(figure, sizeof figure, "%.2f in mcp-server (needs %.2f)", r.score, min);
    return UnauthenticatedError("the server " + did + " scores " + figure + " from your anchors: aip trust score " + did +
                                " --scope mcp-server --explain");
  };
}

void AddSigningFlags(CLI::App* cmd, SigningOptions& o) {
  cmd->add_flag("--no-sign", o.no_sign, "Send unsigned requests");
  cmd->add_flag("--sign", o.sign,
                "With --api-key-env, --bearer-env, --client-id or --login: sign each request too (for a server that checks both; "
                "with a token, its client must be this agent; a gateway taking API keys refuses a key and a proof together)");
  cmd->add_option("--audience", o.audience, "Audience for the request proofs (default: the URL)");
  cmd->add_flag("--print-request", o.print_request, "Print each request exactly as sent, with its HTTP headers (stderr)");
  cmd->add_option("--server-did", o.server_did, "Require results signed by this DID");
  cmd->add_flag("--require-signed-result", o.require_signed_result, "Fail unless the result is signed");
  cmd->add_option("--require-server-trust", o.require_server_trust,
                  "Results must be signed by a DID scoring at least this (0-1) in mcp-server from this agent's anchors "
                  "(docs/tool-integrity.md)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--http-signature", o.http_signature, "Also sign each HTTP request (RFC 9421)");
  cmd->add_flag("--web-bot-auth", o.web_bot_auth,
                "Sign each HTTP request as a Web Bot Auth agent (RFC 9421, tag web-bot-auth, keyid = this key's JWK thumbprint)");
  cmd->add_option("--signature-agent", o.signature_agent,
                  "With --web-bot-auth: the origin whose key directory lists this key (sent in Signature-Agent)");
  cmd->add_option("--api-key-env", o.api_key_env, "Send the API key held in this environment variable (X-Api-Key)");
  cmd->add_option("--bearer-env", o.bearer_env, "Send the access token held in this environment variable (Authorization: Bearer)");
  cmd->add_option("--client-id", o.client_id, "Get a token with the OAuth client-credentials grant, as this client");
  cmd->add_option("--client-secret-env", o.client_secret_env, "The variable holding that client's secret");
  cmd->add_option("--scope", o.scopes, "A scope to ask for (repeatable)");
  cmd->add_flag("--login", o.login,
                "Sign in as the local user when the server asks (OAuth authorization code + PKCE); "
                "--client-id then names a pre-registered client");
  cmd->add_option("--client-metadata-url", o.client_metadata_url,
                  "With --login: this client's Client ID Metadata Document URL, used where the server accepts one");
  cmd->add_option("--client-issuer", o.client_issuer,
                  "With --login: the authorization server the --client-id client is registered at (default: the first one met)");
  cmd->add_option("--browser", o.browser, "With --login: the command that opens the sign-in URL (default: $BROWSER)");
  cmd->add_option("--redirect-port", o.redirect_port, "With --login: the loopback port for the sign-in redirect (default: any)");
  cmd->add_option("--login-timeout", o.login_timeout, "With --login: how long to wait for the sign-in (default 5m)");
}

bool SignsCalls(const SigningOptions& s) {
  if (s.no_sign && s.sign) Fail(kUsage, "--sign and --no-sign contradict each other");
  if (s.no_sign) return false;
  bool other_credential = !s.api_key_env.empty() || !s.bearer_env.empty() || !s.client_id.empty() || s.login || s.web_bot_auth;
  return !other_credential || s.sign;
}

// CredentialFromEnv reads a secret from the named variable: secrets never go on the command line,
// where other users can read them in the process list.
std::string CredentialFromEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') Fail(kUsage, "environment variable " + name + " is not set");
  std::string s(v);
  if (s.find_first_of("\r\n") != std::string::npos) Fail(kUsage, name + ": a credential cannot hold line breaks");
  return s;
}

namespace {
bool IsCredentialHeader(std::string_view name) { return name == "authorization" || name == "x-api-key"; }

}  // namespace

// HttpHookFor signs each HTTP request (--http-signature) and prints it exactly as sent
// (--print-request): request line, headers, body.
mcp::HttpRequestSigner HttpHookFor(const Context& ctx, const std::string& url, const SigningOptions& s) {
  int credentials = !s.api_key_env.empty() + !s.bearer_env.empty() + (s.login || !s.client_id.empty());
  if (credentials > 1) Fail(kUsage, "give one of --api-key-env, --bearer-env, --client-id, --login");
  if (!s.login && !s.client_id.empty() && s.client_secret_env.empty()) Fail(kUsage, "--client-id needs --client-secret-env");
  if (s.web_bot_auth && s.http_signature) Fail(kUsage, "--web-bot-auth and --http-signature both sign the request: pick one");
  if (!s.signature_agent.empty() && !s.web_bot_auth) Fail(kUsage, "--signature-agent goes with --web-bot-auth");
  if (!s.http_signature && !s.web_bot_auth && !s.print_request && credentials == 0) return nullptr;
  mcp::HttpRequestSigner sign;
  if (s.http_signature) sign = mcpsig::HttpSigner(std::make_shared<identity::Identity>(LoadIdentity(ctx).identity));
  if (s.web_bot_auth) {
    if (!s.signature_agent.empty()) Check(net::ParseUrl(s.signature_agent), kUsage);
    auto me = std::make_shared<identity::Identity>(LoadIdentity(ctx).identity);
    httpsig::WebBotAuthSignOptions o;
    o.signature_agent = s.signature_agent;
    sign = [me, o](std::string_view, std::string_view target, net::Headers& h, std::string_view) -> Status {
      return httpsig::SignWebBotAuth(
          std::string(target), h, me->public_key(),
          [&me](ByteSpan base) { return me->SignStandard(identity::StandardInput::kHttpSignatureBase, base); }, o);
    };
  }
  if (!s.api_key_env.empty()) sign = mcp::WithCredential("x-api-key", CredentialFromEnv(s.api_key_env), std::move(sign));
  if (!s.bearer_env.empty()) {
    sign = mcp::WithCredential("authorization", "Bearer " + CredentialFromEnv(s.bearer_env), std::move(sign));
  }
  if (!s.client_id.empty() && !s.login) {
    if (url.empty()) Fail(kUsage, "--client-id works with an HTTP server URL");
    oauth::ClientCredentials cc;
    cc.client_id = s.client_id;
    std::string secret = CredentialFromEnv(s.client_secret_env);
    cc.client_secret = crypto::SecretBytes(AsBytes(secret));
    cc.scopes = s.scopes;
    auto token = oauth::TokenForResource(url, cc);
    if (!token) Fail(kVerificationFailed, "cannot get a token: " + token.error().message);
    sign = mcp::WithCredential("authorization", "Bearer " + token->token, std::move(sign));
  }
  bool print = s.print_request;
  return [sign, print](std::string_view method, std::string_view target, net::Headers& h, std::string_view body) -> Status {
    if (sign) AIP_RETURN_IF_ERROR(sign(method, target, h, body));
    if (print) {
      std::cerr << method << " " << target << " HTTP/1.1\n";
      for (const auto& [n, v] : h.fields()) std::cerr << n << ": " << (IsCredentialHeader(n) ? "[redacted]" : v) << "\n";
      std::cerr << "\n" << body << "\n\n";
    }
    return OkStatus();
  };
}

// LoginFor is the --login authorizer: the user signs in through the browser when the server
// answers 401 (or 403 insufficient_scope), and the call goes on with the token.
std::filesystem::path TokensDir(const Context& ctx) { return ctx.store.home() / "tokens"; }

std::shared_ptr<mcp::HttpAuthorizer> LoginFor(const Context& ctx, const std::string& url, const SigningOptions& s) {
  if (!s.login) return nullptr;
  if (url.empty()) Fail(kUsage, "--login works with an HTTP server URL");
  oauth::UserLoginOptions o;
  o.server_url = url;
  o.client_id = s.client_id;
  if (!s.client_secret_env.empty()) o.client_secret = crypto::SecretBytes(AsBytes(CredentialFromEnv(s.client_secret_env)));
  o.client_metadata_url = s.client_metadata_url;
  o.client_issuer = s.client_issuer;
  if (!o.client_metadata_url.empty() && !o.client_metadata_url.starts_with("https://")) {
    Fail(kUsage, "--client-metadata-url must be an https URL");
  }
  o.scopes = s.scopes;
  const char* env_browser = std::getenv("BROWSER");
  o.open_browser = BrowserOpener(!s.browser.empty() ? s.browser : env_browser != nullptr ? env_browser : "");
  o.redirect_port = s.redirect_port;
  o.cache = oauth::TokenCache(TokensDir(ctx));
  auto timeout = ParseDuration(s.login_timeout);
  if (!timeout) Fail(kUsage, "--login-timeout: " + timeout.error().message);
  o.timeout = *timeout;
  return std::make_shared<oauth::UserLogin>(std::move(o));
}

}  // namespace aip::cli
