// Ed25519 (RFC 8032, pure variant) on libsodium. Verification is strict: non-canonical S,
// non-canonical or small-order public keys and small-order R are rejected, so each message has
// one valid signature per key and malleated signatures never verify (Wycheproof's ed25519 file).
// Every input to this header is attacker-controlled except a private key.
#pragma once

#include <array>
#include <cstdint>

#include "aip/base/bytes.h"
#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::crypto {

inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureSize>;

// Ed25519PublicKey is a 32-byte public key that passed the length check.
class Ed25519PublicKey {
 public:
  static Result<Ed25519PublicKey> FromBytes(ByteSpan bytes);
  const std::array<std::uint8_t, kEd25519PublicKeySize>& bytes() const { return bytes_; }
  bool operator==(const Ed25519PublicKey& other) const = default;

 private:
  explicit Ed25519PublicKey(const std::array<std::uint8_t, kEd25519PublicKeySize>& b) : bytes_(b) {}
  std::array<std::uint8_t, kEd25519PublicKeySize> bytes_;
};

// Ed25519PrivateKey holds the 32-byte seed (RFC 8032's private key) and libsodium's expanded key.
class Ed25519PrivateKey {
 public:
  static Ed25519PrivateKey Generate();
  static Result<Ed25519PrivateKey> FromSeed(ByteSpan seed);

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // seed() is the secret itself: handle with care (export, encrypted storage).
  const SecretBytes& seed() const { return seed_; }
  Ed25519Signature Sign(ByteSpan message) const;

 private:
  Ed25519PrivateKey(SecretBytes seed, SecretBytes expanded, Ed25519PublicKey pub)
      : seed_(std::move(seed)), expanded_(std::move(expanded)), public_key_(pub) {}
  SecretBytes seed_;
  SecretBytes expanded_;  // libsodium's 64-byte secret key (seed || public key).
  Ed25519PublicKey public_key_;
};

// Verify returns OK iff `signature` is a valid strict RFC 8032 signature of `message` by `key`;
// otherwise kUnauthenticated ("signature does not verify"), or kInvalidArgument for a wrong length.
Status Verify(const Ed25519PublicKey& key, ByteSpan message, ByteSpan signature);

}  // namespace aip::crypto
