// aip tools | call: an MCP client on the command line, over Streamable HTTP or a spawned stdio
// server. The protocol era is negotiated (2026-07-28 server/discover, else initialize).
#include <cstdlib>
#include <iostream>
#include <set>
#include <sstream>

#include "aip/mcp/client.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/oauth/token_cache.h"
#include "aip/proxy/definition_screen.h"
#include "cli.h"
#include "signing_flags.h"

namespace aip::cli {
namespace {

struct Target {
  std::string url;
  std::string stdio;  // A command line, split on spaces.
};

// ScreenFor is the screen of the user's client pins for this server (as aip proxy keeps them:
// $AIP_HOME/pins/client.json, keyed by the URL or "stdio:" + the command); null with --pin off.
std::shared_ptr<proxy::DefinitionScreen> ScreenFor(const Context& ctx, const Target& t, const std::string& pin) {
  auto mode = Check(pins::ParsePinMode(pin), kUsage);
  if (mode == pins::PinMode::kOff) return nullptr;
  std::string server = t.url.empty() ? "stdio:" + t.stdio : t.url;
  return std::make_shared<proxy::DefinitionScreen>(std::make_shared<pins::PinStore>(ClientPinsFile(ctx)), server, mode,
                                                   [](std::string_view line) { std::cerr << "aip: " << line << "\n"; });
}

// ScreenedTools lists the server's tools through `screen` (when there is one): what it withholds
// is left out.
json::Array ScreenedTools(mcp::McpClient& client, proxy::DefinitionScreen* screen) {
  auto list = client.ListTools();
  if (!list) Fail(kError, "tools/list failed: " + list.error().message);
  if (screen == nullptr) return std::move(*list);
  json::Object answer{{"jsonrpc", "2.0"}, {"id", 0}, {"result", json::Object{{"tools", std::move(*list)}}}};
  screen->ScreenAnswer("tools/list", json::Object{{"method", "tools/list"}}, answer);
  return std::move(answer["result"].as_object()["tools"].as_array());
}

mcp::ClientOptions ClientOptionsFor(const Context& ctx, const Target& t, const SigningOptions& s) {
  mcpsig::SignedClientConfig config;
  bool sign = SignsCalls(s);
  if (sign && !t.stdio.empty() && s.audience.empty()) {
    // A spawned server has no URL to bind proofs to; without an audience the call goes unsigned,
    // which a server that checks nothing accepts and one that requires proofs refuses.
    std::cerr << "aip: note: --stdio without --audience: requests are not signed (give --audience to sign them)\n";
    sign = false;
  }
  if (sign) {
    if (std::getenv("AIP_PRIVATE_KEY") == nullptr && !ctx.store.HasIdentity()) {
      Fail(kError,
           "no identity to sign with at " + ctx.store.identity_path().string() + ": run 'aip init', or pass --no-sign to call unsigned");
    }
    config.signer = std::make_shared<identity::Identity>(LoadIdentity(ctx).identity);
    config.audience = !s.audience.empty() ? s.audience : t.url;
  }
  if (!s.server_did.empty()) config.expected_server = s.server_did;
  config.require_signed_result = s.require_signed_result;
  config.check_signer = ServerTrustCheck(ctx, s);
  // Said once per signer, not once per result (a session's handshake and list are signed too).
  auto said = std::make_shared<std::set<std::string>>();
  config.on_verified_result = [said](const std::string& did) {
    if (said->insert(did).second) std::cerr << "results signed by " << did << " (verified)\n";
  };
  mcp::ClientOptions options;
  if (s.print_request && !t.stdio.empty()) {  // Over HTTP the transport hook prints the whole request.
    options.on_send = [](const json::Object& request) { std::cerr << json::Serialize(request) << "\n"; };
  }
  return mcpsig::SignedClientOptions(config, std::move(options));
}

std::unique_ptr<mcp::McpClient> ConnectTo(const Target& t, mcp::ClientOptions options = {}, mcp::HttpRequestSigner http_signer = nullptr,
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
  if (!s.ok()) {
    // A server that answered but failed a check is not a connection problem: say which.
    bool refused = s.code() == ErrorCode::kUnauthenticated || s.code() == ErrorCode::kPermissionDenied;
    Fail(refused ? kVerificationFailed : kError, (refused ? "the server's answer was refused: " : "cannot connect: ") + s.message());
  }
  return client;
}

// ConnectSigned connects to `t` as these signing flags say (proofs, HTTP signatures, printing).
std::unique_ptr<mcp::McpClient> ConnectSigned(const Context& ctx, const Target& t, const SigningOptions& s) {
  return ConnectTo(t, ClientOptionsFor(ctx, t, s), HttpHookFor(ctx, t.url, s), LoginFor(ctx, t.url, s));
}

// SplitTarget reads "[URL] NAME..." positionals: with --stdio there is no URL.
Target SplitTarget(std::vector<std::string>& pos, const std::string& stdio, std::size_t names) {
  Target t;
  t.stdio = stdio;
  if (stdio.empty()) {
    if (pos.empty()) Fail(kUsage, "expected a URL (or --stdio CMD)");
    if (pos.size() != names + 1)
      Fail(kUsage, names == 1 ? "expected a tool name after the URL: aip call URL TOOL [--args JSON]" : "expected only a URL");
    t.url = pos.front();
    pos.erase(pos.begin());
  } else if (pos.size() != names) {
    Fail(kUsage, "with --stdio, give no URL");
  }
  return t;
}

}  // namespace

void AddMcpCommands(CLI::App& app, Context& ctx) {
  auto logout_url = std::make_shared<std::string>();
  auto* logout = app.add_subcommand("logout", "Forget the sign-in to an MCP server kept by --login: aip logout URL");
  logout->add_option("URL", *logout_url, "The server's URL, as given to --login")->required();
  logout->callback([logout_url, &ctx] {
    bool removed = Check(oauth::TokenCache(TokensDir(ctx)).Forget(*logout_url));
    std::cout << (removed ? "signed out of " : "no sign-in kept for ") << *logout_url << "\n";
  });

  constexpr const char* kPinHelp =
      "Tool integrity, with the same pins as aip proxy: tofu (trust the first listing, withhold later changes), approved (only "
      "what aip pins approve), off (default)";
  struct ToolsOptions {
    std::vector<std::string> pos;
    std::string stdio;
    bool json = false;
    std::string pin = "off";
    SigningOptions signing;
  };
  auto to = std::make_shared<ToolsOptions>();
  auto* tools = app.add_subcommand("tools", "List an MCP server's tools");
  tools->add_option("URL", to->pos, "Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp");
  tools->add_option("--stdio", to->stdio, "Spawn this server command and speak stdio instead");
  tools->add_flag("--json", to->json, "Print JSON");
  tools->add_option("--pin", to->pin, kPinHelp);
  AddSigningFlags(tools, to->signing);
  tools->callback([to, &ctx] {
    Target t = SplitTarget(to->pos, to->stdio, 0);
    auto screen = ScreenFor(ctx, t, to->pin);
    auto client = ConnectSigned(ctx, t, to->signing);
    json::Array list = ScreenedTools(*client, screen.get());
    if (screen) {
      for (const auto& [item, reason] : screen->Withheld()) {
        std::cerr << "aip: withheld " << item << " (" << reason << "): aip pins diff " << (t.url.empty() ? "stdio:" + t.stdio : t.url)
                  << "\n";
      }
    }
    if (to->json) {
      PrintJson(list);
      return;
    }
    std::cout << "Server "
              << json::Serialize(client->server_info().if_contains("name") ? client->server_info().at("name") : json::Value("?"))
              << " (protocol " << client->protocol_version() << "), " << list.size() << " tool(s):\n";
    for (const auto& tool : list) {
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
    std::string pin = "off";
    SigningOptions signing;
  };
  auto co = std::make_shared<CallOptions>();
  auto* call = app.add_subcommand("call", "Call a tool on an MCP server: aip call URL TOOL [--args JSON]");
  call->add_option("URL TOOL", co->pos, "Endpoint URL (omit with --stdio) and tool name")->required();
  call->add_option("--stdio", co->stdio, "Spawn this server command and speak stdio instead");
  call->add_option("--args", co->args, "Tool arguments as a JSON object (default {})");
  call->add_flag("--json", co->json, "Print the whole result as JSON");
  call->add_option("--pin", co->pin, kPinHelp);
  AddSigningFlags(call, co->signing);
  call->callback([co, &ctx] {
    Target t = SplitTarget(co->pos, co->stdio, 1);
    std::string tool = co->pos.front();
    auto args = json::ParseJsonObject(co->args);
    if (!args) Fail(kUsage, "--args: " + args.error().message);
    auto screen = ScreenFor(ctx, t, co->pin);
    auto client = ConnectSigned(ctx, t, co->signing);
    if (screen) {
      // The tool is called only as approved: list, screen, and refuse what the pins withhold.
      ScreenedTools(*client, screen.get());
      json::Object request{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "tools/call"}, {"params", json::Object{{"name", tool}}}};
      if (auto refused = screen->Refusal(request)) {
        const json::Object& error = refused->at("error").as_object();
        Fail(kError, "tools/call refused here: " + std::to_string(error.at("code").as_int64()) + ": " +
                         std::string(error.at("message").as_string()));
      }
    }
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
