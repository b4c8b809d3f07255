// HostedDirectories: Web Bot Auth key directories the registry serves for its registered agents,
// so an agent without a web origin of its own can still sign the IETF way (docs/web-bot-auth.md).
//
// A directory must sit at its operator's origin, https://<authority>/.well-known/
// http-message-signatures-directory, signed for that authority by a key it lists. The registry
// therefore gives each agent an origin of its own, <name>.<bot domain> (a wildcard DNS name and
// certificate pointing at the registry), and serves each name's directory by the Host a request
// names. The agent signs its directory itself (`aip webbotauth publish`); the registry only checks
// and stores it, so a registry cannot make a directory its agent did not sign — but it can stop
// serving one, and whoever runs the bot domain decides who holds which name.
//
// Rules: the name is one lowercase DNS label (no "xn--": no look-alike names), first come first
// kept; the uploader is a registered agent in force (not rotated or deactivated); the directory
// verifies for <name>.<domain> within its lifetime and lists exactly the uploader's key. A
// directory is served only until its signature expires and only while its agent is in force.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "aip/base/clock.h"
#include "aip/net/http.h"
#include "aip/registry/registry_store.h"

namespace aip::registry {

// IsHostedName: one DNS label of 1–63 lowercase letters, digits and inner hyphens, not "xn--…".
bool IsHostedName(std::string_view name);

// CheckBotDomain refuses a bot domain that is not a plain host[:port] with at least one dot, or
// that the registry's own name falls under (its API would be taken for a hosted origin).
Status CheckBotDomain(std::string_view domain, std::string_view public_url);

struct HostedDirectory {
  std::string name;
  std::string origin;  // "https://<name>.<domain>": what the agent names in Signature-Agent.
  TimePoint expires;
  bool created = false;
};

class HostedDirectories {
 public:
  // `domain` is the bot domain as host[:port] ("bots.registry.example"); empty: hosting is off.
  HostedDirectories(std::shared_ptr<RegistryStore> store, std::string domain, const Clock* clock = &DefaultClock());

  bool enabled() const { return !domain_.empty(); }
  const std::string& domain() const { return domain_; }

  // Put checks `upload` — {"body": JWKS text, "headers": {"content-digest", "signature-input",
  // "signature"}}, as `aip webbotauth directory --json` prints them — sent by `signer` (a did:key)
  // for `name`, and stores it. Errors say why: kInvalidArgument (malformed, wrong authority,
  // expired), kPermissionDenied (not registered, not in force, another key listed), kAlreadyExists
  // (the name is another agent's, or this agent holds another name), kNotFound (hosting is off).
  Result<HostedDirectory> Put(std::string_view signer, std::string_view name, std::string_view upload);
  // Delete removes `name` when `signer` holds it (kNotFound otherwise).
  Status Delete(std::string_view signer, std::string_view name);
  // Serve answers GET /.well-known/http-message-signatures-directory for the request's Host:
  // nullopt when the host is not under the bot domain (the request is not for a hosted origin),
  // else the directory with its signature headers, or an error (kNotFound: no such name, expired,
  // or its agent no longer in force).
  std::optional<Result<net::HttpResponse>> Serve(std::string_view host);

 private:
  std::shared_ptr<RegistryStore> store_;
  std::string domain_;  // Lowercase, without ":443".
  const Clock* clock_;
};

}  // namespace aip::registry
