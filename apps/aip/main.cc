// aip: identity, signatures and trust for MCP agents. Thin wiring: each command group lives in
// its own file; this file parses arguments and maps failures to the documented exit codes.
#include <iostream>

#include "cli.h"

int main(int argc, char** argv) {
  using namespace aip::cli;
  // Named, so that Usage lines say `aip …` whatever path the binary was started by.
  CLI::App app{"aip: identity, signed calls and trust for MCP agents and servers", "aip"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "aip 0.1.0");
  app.footer(
      "Exit codes: 0 ok, 1 verification failed, 2 usage error, 3 other error.\n"
      "Environment: AIP_HOME (default ~/.aip), AIP_PASSPHRASE, AIP_PRIVATE_KEY, AIP_DID, AIP_REGISTRY.");
  Context ctx;
  AddIdentityCommands(app, ctx);
  AddKeyCommands(app, ctx);
  AddLifecycleCommands(app, ctx);  // After AddKeyCommands: adds `key rotate`, `key publish`.
  AddSigningCommands(app, ctx);
  AddMcpCommands(app, ctx);
  AddProxyCommands(app, ctx);
  AddGatewayCommands(app, ctx);
  AddAuditCommands(app, ctx);
  AddApiKeyCommands(app, ctx);
  AddTrustCommands(app, ctx);
  AddRegistryCommands(app, ctx);
  AddWebBotAuthCommands(app, ctx);
  AddPinsCommands(app, ctx);
  AddJsonFlags(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  } catch (const CommandError& e) {
    std::cerr << "aip: " << e.message << "\n";
    return e.code;
  } catch (const std::exception& e) {
    // Commands check what they read; this is the net under a server answer of a shape no check
    // expected (a JSON member missing or of another type): an error, never a crash.
    std::cerr << "aip: unexpected input: " << e.what() << "\n";
    return kError;
  }
  return kOk;
}
