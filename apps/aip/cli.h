// Shared plumbing of the `aip` subcommands: exit codes, output, and loading the local identity.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/identity/deactivation.h"
#include "aip/identity/key_store.h"

namespace aip::cli {

// Documented exit codes (README "Exit codes").
enum ExitCode : int { kOk = 0, kVerificationFailed = 1, kUsage = 2, kError = 3 };

// CommandError carries an exit code and a message out of a command handler.
struct CommandError {
  int code;
  std::string message;
};

// Fail aborts the running command with `code`; main() prints "aip: <message>" and exits.
[[noreturn]] void Fail(int code, const std::string& message);
// Check returns the value of `r`, or fails the command with `code` and the error message.
template <typename T>
T Check(Result<T> r, int code = kError) {
  if (!r) Fail(code, r.error().message);
  return std::move(r).value();
}
void Check(const Status& s, int code = kError);

// PrintJson writes `v` to stdout with two-space indentation and a final newline.
void PrintJson(const json::Value& v);

// Context is what every command shares: the key store location, and whether --json was asked.
struct Context {
  identity::KeyStore store{identity::KeyStore::DefaultHome()};
  bool json = false;
};

// ClientPinsFile is where this user's clients (aip proxy) keep the tool pins of the servers they
// reach, keyed by URL: $AIP_HOME/pins/client.json (docs/tool-integrity.md).
inline std::filesystem::path ClientPinsFile(const Context& ctx) { return ctx.store.home() / "pins" / "client.json"; }

// Report prints what a command did: `human` (a line) or, with --json, `data`.
void Report(const Context& ctx, const json::Object& data, const std::string& human);

// AddJsonFlags gives every command that prints data and has no --json of its own one that sets
// ctx.json (README: every command that prints data takes --json).
void AddJsonFlags(CLI::App& app, Context& ctx);

// PassphraseFromUser reads AIP_PASSPHRASE, else prompts on the terminal (twice when `confirm`).
Result<crypto::SecretBytes> PassphraseFromUser(bool confirm);

// LoadedIdentity is the local identity and, for an encrypted file, the passphrase that opened it
// (so a rotation can re-encrypt with it).
struct LoadedIdentity {
  identity::Identity identity;
  std::optional<crypto::SecretBytes> passphrase;
  bool from_environment = false;
};
// A deactivated identity (`aip deactivate`) is refused with the reason, unless
// `allow_deactivated` (to publish its deactivation).
LoadedIdentity LoadIdentity(const Context& ctx, bool allow_deactivated = false);

// OwnDid is this agent's DID, read from the identity's public part (no passphrase needed);
// nullopt when there is no identity.
std::optional<std::string> OwnDid(const Context& ctx);

// Registration functions, one per command group.
void AddIdentityCommands(CLI::App& app, Context& ctx);
void AddKeyCommands(CLI::App& app, Context& ctx);
void AddLifecycleCommands(CLI::App& app, Context& ctx);

// LocalDeactivation is this agent's own deactivation record ($AIP_HOME/deactivation.json),
// when there is a valid one.
std::optional<identity::Deactivation> LocalDeactivation(const Context& ctx);
void AddWebBotAuthCommands(CLI::App& app, Context& ctx);
void AddPinsCommands(CLI::App& app, Context& ctx);
void AddSigningCommands(CLI::App& app, Context& ctx);
void AddMcpCommands(CLI::App& app, Context& ctx);
void AddProxyCommands(CLI::App& app, Context& ctx);
void AddGatewayCommands(CLI::App& app, Context& ctx);
void AddAuditCommands(CLI::App& app, Context& ctx);
void AddApiKeyCommands(CLI::App& app, Context& ctx);
void AddTrustCommands(CLI::App& app, Context& ctx);
void AddRegistryCommands(CLI::App& app, Context& ctx);  // After AddTrustCommands: adds `trust sync`.

// RegistryUrl is `flag`, else $AIP_REGISTRY, else a usage error.
std::string RegistryUrl(const std::string& flag);

}  // namespace aip::cli
