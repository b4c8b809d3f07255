// Identity: an agent's (or server's) Ed25519 key with its name, platform and rotation history.
// The primary identifier is the key's did:key (resolvable offline); did:aip is its alias for
// the Python AIP ecosystem.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/crypto/ed25519.h"
#include "aip/crypto/password_kdf.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/identity/did_document.h"
#include "aip/identity/key_rotation.h"
#include "aip/identity/signing_domain.h"

namespace aip::identity {

class Identity {
 public:
  Identity(crypto::Ed25519PrivateKey key, std::string name, std::string platform, TimePoint created)
      : key_(std::move(key)), name_(std::move(name)), platform_(std::move(platform)), created_(created) {}

  static Identity Generate(std::string name, std::string platform, TimePoint now);

  const crypto::Ed25519PublicKey& public_key() const { return key_.public_key(); }
  std::string did() const;      // did:key of the current key.
  std::string did_aip() const;  // did:aip alias of the current key.
  std::string verification_method() const;
  const std::string& name() const { return name_; }
  const std::string& platform() const { return platform_; }
  TimePoint created() const { return created_; }
  const std::vector<KeyRotation>& rotations() const { return rotations_; }
  void set_rotations(std::vector<KeyRotation> r) { rotations_ = std::move(r); }

  // Sign signs `payload` in `domain` (see signing_domain.h). The key never leaves the identity:
  // what it signs is always one of aip's own statements or a standard's signing input.
  crypto::Ed25519Signature Sign(SigningDomain domain, ByteSpan payload) const;
  // SignStandard signs the signing input of a Data Integrity proof or an HTTP message signature,
  // refusing bytes that do not have that input's shape.
  Result<crypto::Ed25519Signature> SignStandard(StandardInput kind, ByteSpan input) const;
  // DeriveSecret returns HMAC-SHA256(seed, purpose): a key only this identity can recompute, for
  // one purpose (each caller names its own, e.g. "aip audit line mac v1").
  crypto::SecretBytes DeriveSecret(std::string_view purpose) const;
  // OpenSealed opens a libsodium sealed box addressed to this identity (its X25519 form).
  Result<Bytes> OpenSealed(ByteSpan sealed) const;

  // Rotate replaces the key with `next`, recording a rotation signed by both keys.
  Status Rotate(crypto::Ed25519PrivateKey next, TimePoint now);

  // DidDocument returns this identity's DID document.
  Result<json::Object> Document(KeyFormat format = KeyFormat::kMultikey) const;

  // PublicJson describes the identity without secrets (export, whoami --json).
  json::Object PublicJson() const;

 private:
  // The key file is the one place the seed is written (encrypted when asked).
  friend Result<std::string> SerializeIdentity(const Identity& id, const std::optional<crypto::SecretBytes>& passphrase,
                                               const crypto::Argon2idParams& kdf);

  crypto::Ed25519PrivateKey key_;
  std::string name_;
  std::string platform_;
  TimePoint created_;
  std::vector<KeyRotation> rotations_;
};

}  // namespace aip::identity
