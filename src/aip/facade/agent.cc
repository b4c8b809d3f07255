#include <cstdlib>

#include "aip/aip.h"
#include "aip/base/encoding.h"
#include "aip/identity/did_document.h"
#include "aip/identity/did_key.h"
#include "aip/identity/key_store.h"

namespace aip {
namespace {

std::filesystem::path HomeOrDefault(const std::filesystem::path& home) { return home.empty() ? identity::KeyStore::DefaultHome() : home; }

}  // namespace

Result<Agent> Agent::Load(const std::filesystem::path& home) {
  AIP_ASSIGN_OR_RETURN(std::optional<identity::Identity> env, identity::IdentityFromEnvironment());
  if (env) return Agent(std::move(*env));
  identity::KeyStore store(HomeOrDefault(home));
  AIP_ASSIGN_OR_RETURN(identity::Identity id, store.Load(identity::PassphraseFromEnvironment()));
  return Agent(std::move(id));
}

Result<Agent> Agent::LoadOrCreate(std::string_view name, const std::filesystem::path& home) {
  auto loaded = Load(home);
  if (loaded || loaded.error().code != ErrorCode::kNotFound) return loaded;
  identity::KeyStore store(HomeOrDefault(home));
  identity::Identity id = identity::Identity::Generate(std::string(name), "", DefaultClock().Now());
  AIP_RETURN_IF_ERROR(store.Save(id, std::nullopt, false));
  return Agent(std::move(id));
}

std::string Agent::SignMessage(std::string_view message) const {
  return Base64UrlEncode(identity_.Sign(identity::SigningDomain::kMessage, AsBytes(message)));
}

Status VerifySignature(std::string_view did, std::string_view message, std::string_view signature, const std::filesystem::path& home) {
  AIP_ASSIGN_OR_RETURN(Bytes sig, Base64UrlDecode(signature));
  std::optional<crypto::Ed25519PublicKey> key;
  if (did.starts_with(identity::kDidKeyPrefix)) {
    AIP_ASSIGN_OR_RETURN(key, identity::PublicKeyFromDidKey(did));
  } else {
    AIP_ASSIGN_OR_RETURN(identity::StaticKeyResolver keyring, identity::KeyStore(HomeOrDefault(home)).Keyring());
    AIP_ASSIGN_OR_RETURN(identity::Resolution r, keyring.Resolve(did));
    if (r.parsed.methods().empty()) return NotFoundError("DID has no key");
    key = r.parsed.methods().front().key;
  }
  return crypto::Verify(*key, identity::DomainSeparated(identity::SigningDomain::kMessage, AsBytes(message)), sig);
}

}  // namespace aip
