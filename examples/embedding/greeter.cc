// greeter: an MCP server (stdio) that accepts only signed tool calls and greets each caller by the
// DID that signed. Built outside the aip tree against the installed package (README.md here).
#include <unistd.h>

#include <iostream>

#include "aip/authn/authenticator.h"
#include "aip/authn/replay_cache.h"
#include "aip/mcp/server.h"
#include "aip/mcp/stdio_transport.h"
#include "aip/mcpsig/authenticator.h"

int main() {
  aip::mcp::McpServer server({"greeter", "1.0.0", ""});
  aip::mcp::ToolDef greet;
  greet.name = "greet";
  greet.description = "Greets the caller by the DID that signed the call";
  greet.input_schema = *aip::json::ParseJson(R"({"type": "object", "additionalProperties": false})");
  greet.handler = [](const aip::json::Object&, aip::mcp::HandlerContext& ctx) -> aip::Result<aip::mcp::ToolResult> {
    return aip::mcp::ToolResult::Text("hello, " + ctx.request().principal->did);
  };
  server.AddTool(std::move(greet));

  // Calls must carry a proof for the audience "greeter", signed by the key their DID names, with
  // a nonce never seen before.
  aip::mcpsig::VerifyOptions verify;
  verify.audiences = {"greeter"};
  verify.resolver = aip::mcpsig::DefaultResolver();
  verify.replay_cache = std::make_shared<aip::authn::InMemoryReplayCache>();
  auto chain = std::make_shared<aip::authn::AuthenticatorChain>();
  if (auto added = chain->Add(std::make_shared<aip::mcpsig::ProofAuthenticator>(std::move(verify))); !added.ok()) {
    std::cerr << added.message() << "\n";
    return 1;
  }
  server.SetAuthenticator(chain, aip::mcp::AuthMode::kRequired);
  return aip::mcp::ServeStdio(server, STDIN_FILENO, STDOUT_FILENO).ok() ? 0 : 1;
}
