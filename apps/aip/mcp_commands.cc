// aip tools | call: an MCP client on the command line, over Streamable HTTP or a spawned stdio
// server. The protocol era is negotiated (2026-07-28 server/discover, else initialize).
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "aip/mcp/client.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/oauth/client_credentials.h"
#include "aip/oauth/user_login.h"
#include "browser.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct Target {
  std::string url;
  std::string stdio;  // A command line, split on spaces.
};

// Signing is how aip calls: each request carries a proof made with the local identity, for the
// server's audience (its URL, unless --audience says otherwise).
struct SigningOptions {
  bool no_sign = false;
  std::string audience;
  bool print_request = false;
  std::string server_did;
  bool require_signed_result = false;
  bool http_signature = false;
  std::string api_key_env;  // Name of the variable holding an API key (never the key on argv).
  std::string bearer_env;   // Name of the variable holding an access token.
  std::string client_id;    // OAuth client credentials: a token is fetched for the server.
  std::string client_secret_env;
  std::vector<std::string> scopes;
  bool login = false;  // OAuth authorization code + PKCE: the user signs in when the server asks.
  std::string client_metadata_url;
  std::string client_issuer;
  std::string browser;
  std::uint16_t redirect_port = 0;
  std::string login_timeout = "5m";
};

void AddSigningFlags(CLI::App* cmd, SigningOptions& o) {
  cmd->add_flag("--no-sign", o.no_sign, "Send unsigned requests");
  cmd->add_option("--audience", o.audience, "Audience for the request proofs (default: the URL)");
  cmd->add_flag("--print-request", o.print_request, "Print each request exactly as sent, with its HTTP headers (stderr)");
  cmd->add_option("--server-did", o.server_did, "Require results signed by this DID");
  cmd->add_flag("--require-signed-result", o.require_signed_result, "Fail unless the result is signed");
  cmd->add_flag("--http-signature", o.http_signature, "Also sign each HTTP request (RFC 9421)");
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

// CredentialFromEnv reads a secret from the named variable: secrets never go on the command line,
// where other users can read them in the process list.
std::string CredentialFromEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') Fail(kUsage, "environment variable " + name + " is not set");
  std::string s(v);
  if (s.find_first_of("\r\n") != std::string::npos) Fail(kUsage, name + ": a credential cannot hold line breaks");
  return s;
}

bool IsCredentialHeader(std::string_view name) { return name == "authorization" || name == "x-api-key"; }

// HttpHookFor signs each HTTP request (--http-signature) and prints it exactly as sent
// (--print-request): request line, headers, body.
mcp::HttpRequestSigner HttpHookFor(const Context& ctx, const Target& t, const SigningOptions& s) {
  int credentials = !s.api_key_env.empty() + !s.bearer_env.empty() + (s.login || !s.client_id.empty());
  if (credentials > 1) Fail(kUsage, "give one of --api-key-env, --bearer-env, --client-id, --login");
  if (!s.login && !s.client_id.empty() && s.client_secret_env.empty()) Fail(kUsage, "--client-id needs --client-secret-env");
  if (!s.http_signature && !s.print_request && credentials == 0) return nullptr;
  mcp::HttpRequestSigner sign;
  if (s.http_signature) sign = mcpsig::HttpSigner(std::make_shared<identity::Identity>(LoadIdentity(ctx).identity));
  if (!s.api_key_env.empty()) sign = mcp::WithCredential("x-api-key", CredentialFromEnv(s.api_key_env), std::move(sign));
  if (!s.bearer_env.empty()) {
    sign = mcp::WithCredential("authorization", "Bearer " + CredentialFromEnv(s.bearer_env), std::move(sign));
  }
  if (!s.client_id.empty() && !s.login) {
    if (t.url.empty()) Fail(kUsage, "--client-id works with an HTTP server URL");
    oauth::ClientCredentials cc;
    cc.client_id = s.client_id;
    std::string secret = CredentialFromEnv(s.client_secret_env);
    cc.client_secret = crypto::SecretBytes(AsBytes(secret));
    cc.scopes = s.scopes;
    auto token = oauth::TokenForResource(t.url, cc);
    if (!token) Fail(kVerificationFailed, "cannot get a token: " + token.error().message);
    sign = mcp::WithCredential("authorization", "Bearer " + token->token, std::move(sign));
  }
  bool print = s.print_request;
  return [sign, print](std::string_view method, std::string_view url, net::Headers& h, std::string_view body) -> Status {
    if (sign) AIP_RETURN_IF_ERROR(sign(method, url, h, body));
    if (print) {
      std::cerr << method << " " << url << " HTTP/1.1\n";
      for (const auto& [n, v] : h.fields()) std::cerr << n << ": " << (IsCredentialHeader(n) ? "[redacted]" : v) << "\n";
      std::cerr << "\n" << body << "\n\n";
    }
    return OkStatus();
  };
}

// LoginFor is the --login authorizer: the user signs in through the browser when the server
// answers 401 (or 403 insufficient_scope), and the call goes on with the token.
std::shared_ptr<mcp::HttpAuthorizer> LoginFor(const Target& t, const SigningOptions& s) {
  if (!s.login) return nullptr;
  if (t.url.empty()) Fail(kUsage, "--login works with an HTTP server URL");
  oauth::UserLoginOptions o;
  o.server_url = t.url;
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
  auto timeout = ParseDuration(s.login_timeout);
  if (!timeout) Fail(kUsage, "--login-timeout: " + timeout.error().message);
  o.timeout = *timeout;
  return std::make_shared<oauth::UserLogin>(std::move(o));
}

mcp::ClientOptions ClientOptionsFor(const Context& ctx, const Target& t, const SigningOptions& s) {
  mcpsig::SignedClientConfig config;
  if (!s.no_sign) {
    if (std::getenv("AIP_PRIVATE_KEY") == nullptr && !ctx.store.HasIdentity()) {
      Fail(kError, "no identity to sign with at " + ctx.store.identity_path().string() +
                       ": run 'aip init', or pass --no-sign to call unsigned");
    }
    config.signer = std::make_shared<identity::Identity>(LoadIdentity(ctx).identity);
    config.audience = !s.audience.empty() ? s.audience : t.url;
    if (config.audience.empty()) Fail(kUsage, "--stdio needs --audience (the server's DID or configured audience) to sign");
  }
  if (!s.server_did.empty()) config.expected_server = s.server_did;
  config.require_signed_result = s.require_signed_result;
  config.on_verified_result = [](const std::string& did) { std::cerr << "result signed by " << did << "\n"; };
  mcp::ClientOptions options;
  if (s.print_request && !t.stdio.empty()) {  // Over HTTP the transport hook prints the whole request.
    options.on_send = [](const json::Object& request) { std::cerr << json::Serialize(request) << "\n"; };
  }
  return mcpsig::SignedClientOptions(config, std::move(options));
}

std::unique_ptr<mcp::McpClient> ConnectTo(const Target& t, mcp::ClientOptions options = {},
                                          mcp::HttpRequestSigner http_signer = nullptr,
                                          std::shared_ptr<mcp::HttpAuthorizer> authorizer = nullptr) {
  Result<std::unique_ptr<mcp::ClientTransport>> transport = InternalError("no target");
  if (!t.stdio.empty()) {
    std::istringstream in(t.stdio);
    std::vector<std::string> argv;
    for (std::string w; in >> w;) argv.push_back(w);
    transport = mcp::StdioClientTransport(argv);
  } else {
    transport = mcp::HttpClientTransport(t.url, std::move(http_signer), {}, std::move(authorizer));
  }
  if (!transport) Fail(transport.error().code == ErrorCode::kInvalidArgument ? kUsage : kError, transport.error().message);
  auto client = std::make_unique<mcp::McpClient>(std::move(*transport), std::move(options));
  Status s = client->Connect();
  if (!s.ok()) Fail(kError, "cannot connect: " + s.message());
  return client;
}

// ConnectSigned connects to `t` as these signing flags say (proofs, HTTP signatures, printing).
std::unique_ptr<mcp::McpClient> ConnectSigned(const Context& ctx, const Target& t, const SigningOptions& s) {
  return ConnectTo(t, ClientOptionsFor(ctx, t, s), HttpHookFor(ctx, t, s), LoginFor(t, s));
}

// SplitTarget reads "[URL] NAME..." positionals: with --stdio there is no URL.
Target SplitTarget(std::vector<std::string>& pos, const std::string& stdio, std::size_t names) {
  Target t;
  t.stdio = stdio;
  if (stdio.empty()) {
    if (pos.size() != names + 1) Fail(kUsage, "expected a URL (or --stdio CMD)");
    t.url = pos.front();
    pos.erase(pos.begin());
  } else if (pos.size() != names) {
    Fail(kUsage, "with --stdio, give no URL");
  }
  return t;
}

}  // namespace

void AddMcpCommands(CLI::App& app, Context& ctx) {
  struct ToolsOptions {
    std::vector<std::string> pos;
    std::string stdio;
    bool json = false;
    SigningOptions signing;
  };
  auto to = std::make_shared<ToolsOptions>();
  auto* tools = app.add_subcommand("tools", "List an MCP server's tools");
  tools->add_option("URL", to->pos, "Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp");
  tools->add_option("--stdio", to->stdio, "Spawn this server command and speak stdio instead");
  tools->add_flag("--json", to->json, "Print JSON");
  AddSigningFlags(tools, to->signing);
  tools->callback([to, &ctx] {
    Target t = SplitTarget(to->pos, to->stdio, 0);
    auto client = ConnectSigned(ctx, t, to->signing);
    auto list = client->ListTools();
    if (!list) Fail(kError, "tools/list failed: " + list.error().message);
    if (to->json) {
      PrintJson(*list);
      return;
    }
    std::cout << "Server " << json::Serialize(client->server_info().if_contains("name") ? client->server_info().at("name") : json::Value("?"))
              << " (protocol " << client->protocol_version() << "), " << list->size() << " tool(s):\n";
    for (const auto& tool : *list) {
      const auto& o = tool.as_object();
      std::cout << "  " << o.at("name").as_string().c_str();
      if (auto d = json::OptionalString(o, "description")) std::cout << " — " << *d;
      std::cout << "\n";
    }
  });

  struct CallOptions {
    std::vector<std::string> pos;
    std::string stdio;
    std::string args = "{}";
    bool json = false;
    SigningOptions signing;
  };
  auto co = std::make_shared<CallOptions>();
  auto* call = app.add_subcommand("call", "Call a tool on an MCP server: aip call URL TOOL [--args JSON]");
  call->add_option("URL TOOL", co->pos, "Endpoint URL (omit with --stdio) and tool name")->required();
  call->add_option("--stdio", co->stdio, "Spawn this server command and speak stdio instead");
  call->add_option("--args", co->args, "Tool arguments as a JSON object (default {})");
  call->add_flag("--json", co->json, "Print the whole result as JSON");
  AddSigningFlags(call, co->signing);
  call->callback([co, &ctx] {
    Target t = SplitTarget(co->pos, co->stdio, 1);
    std::string tool = co->pos.front();
    auto args = json::ParseJsonObject(co->args);
    if (!args) Fail(kUsage, "--args: " + args.error().message);
    auto client = ConnectSigned(ctx, t, co->signing);
    auto result = client->CallTool(tool, *args, [](const json::Object& note) {
      if (json::OptionalString(note, "method") == "notifications/progress") {
        std::cerr << "progress: " << json::Serialize(note.at("params")) << "\n";
      }
    });
    if (!result) Fail(kError, "tools/call failed: " + result.error().message);
    if (co->json) {
      PrintJson(*result);
    } else if (const json::Value* content = result->if_contains("content"); content != nullptr && content->is_array()) {
      for (const auto& c : content->as_array()) {
        if (c.is_object() && json::OptionalString(c.as_object(), "type") == "text") {
          std::cout << c.as_object().at("text").as_string().c_str() << "\n";
        } else {
          std::cout << json::Serialize(c) << "\n";
        }
      }
    }
    if (const json::Value* e = result->if_contains("isError"); e != nullptr && e->is_bool() && e->get_bool()) {
      Fail(kError, "the tool reported an error");
    }
  });
}

}  // namespace aip::cli
