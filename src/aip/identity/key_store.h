// The local key store: $AIP_HOME (default ~/.aip, mode 0700) holds identity.json (mode 0600,
// written atomically) and keyring/ with public identities of other agents.
//
// The private key is stored as its 32-byte seed, either plain or encrypted with a passphrase
// (Argon2id → XChaCha20-Poly1305, the DID as associated data). For CI, AIP_PRIVATE_KEY (the seed
// in base64, base64url or hex; optionally with AIP_DID, which must match) replaces the file.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "aip/base/status.h"
#include "aip/crypto/password_kdf.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"

namespace aip::identity {

// PassphraseProvider is asked for the passphrase only when a file is encrypted.
using PassphraseProvider = std::function<Result<crypto::SecretBytes>()>;

// PassphraseFromEnvironment provides AIP_PASSPHRASE (an error naming it when it is not set).
PassphraseProvider PassphraseFromEnvironment();

// SerializeIdentity renders the identity file; with a passphrase the seed is encrypted.
Result<std::string> SerializeIdentity(const Identity& id, const std::optional<crypto::SecretBytes>& passphrase,
                                      const crypto::Argon2idParams& kdf = {});

// ParseIdentity reads an identity file (ours, or the Python AIP credentials.json format) and
// checks that every identifier in it matches the key. A wrong passphrase gives kUnauthenticated.
Result<Identity> ParseIdentity(std::string_view text, const PassphraseProvider& passphrase);

// IsEncryptedIdentity is true when `text` is an identity file with an encrypted seed.
bool IsEncryptedIdentity(std::string_view text);

// IdentityFromEnvironment reads AIP_PRIVATE_KEY / AIP_DID; nullopt when AIP_PRIVATE_KEY is unset.
Result<std::optional<Identity>> IdentityFromEnvironment();

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path home) : home_(std::move(home)) {}
  // DefaultHome is $AIP_HOME, else $HOME/.aip.
  static std::filesystem::path DefaultHome();

  const std::filesystem::path& home() const { return home_; }
  std::filesystem::path identity_path() const { return home_ / "identity.json"; }
  std::filesystem::path keyring_dir() const { return home_ / "keyring"; }
  bool HasIdentity() const;

  // Save writes the identity; kAlreadyExists when one exists and `overwrite` is false.
  Status Save(const Identity& id, const std::optional<crypto::SecretBytes>& passphrase, bool overwrite,
              const crypto::Argon2idParams& kdf = {}) const;
  Result<Identity> Load(const PassphraseProvider& passphrase) const;
  bool IdentityIsEncrypted() const;

  // AddToKeyring stores another agent's public key under its DIDs.
  Status AddToKeyring(const crypto::Ed25519PublicKey& key, std::string_view name) const;
  // Keyring returns a resolver over every keyring entry (did:key and did:aip of each).
  Result<StaticKeyResolver> Keyring() const;

 private:
  std::filesystem::path home_;
};

}  // namespace aip::identity
