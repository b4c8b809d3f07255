// aip.h: the one header for the common cases — an agent identity that signs, and verification of
// what other agents signed. The C++ counterpart of the Python AIP project's
// `sign_message` / `verify_signature` (trust scores join this header with the trust module).
//
//   auto agent = aip::Agent::LoadOrCreate("my-agent");        // ~/.aip/identity.json (0600)
//   std::string sig = agent->SignMessage("hello");
//   aip::Status ok = aip::VerifySignature(agent->did(), "hello", sig);
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip {

class Agent {
 public:
  // LoadOrCreate loads the identity in `home` (default $AIP_HOME or ~/.aip), or AIP_PRIVATE_KEY
  // when set, or creates and stores a new one named `name`. Encrypted identities take the
  // passphrase from AIP_PASSPHRASE.
  static Result<Agent> LoadOrCreate(std::string_view name = "", const std::filesystem::path& home = {});
  // Load fails with kNotFound when there is no identity yet.
  static Result<Agent> Load(const std::filesystem::path& home = {});

  std::string did() const { return identity_.did(); }
  std::string did_aip() const { return identity_.did_aip(); }
  const identity::Identity& identity() const { return identity_; }

  // SignMessage returns a base64url Ed25519 signature over `message` in aip's message domain.
  std::string SignMessage(std::string_view message) const;

 private:
  explicit Agent(identity::Identity id) : identity_(std::move(id)) {}
  identity::Identity identity_;
};

// VerifySignature checks a SignMessage signature by `did` (a did:key, or a did:aip whose key is
// in the local keyring). OK, or kUnauthenticated / kInvalidArgument / kNotFound with the reason.
Status VerifySignature(std::string_view did, std::string_view message, std::string_view signature, const std::filesystem::path& home = {});

}  // namespace aip
