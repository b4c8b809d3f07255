#include "aip/crypto/ed25519.h"

#include <sodium.h>

#include <cstring>

#include "aip/crypto/sodium_init.h"

namespace aip::crypto {

Result<Ed25519PublicKey> Ed25519PublicKey::FromBytes(ByteSpan bytes) {
  if (bytes.size() != kEd25519PublicKeySize) {
    return InvalidArgumentError("Ed25519 public key must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  std::array<std::uint8_t, kEd25519PublicKeySize> b;
  std::memcpy(b.data(), bytes.data(), b.size());
  return Ed25519PublicKey(b);
}

Ed25519PrivateKey Ed25519PrivateKey::Generate() {
  EnsureSodium();
  SecretBytes seed(kEd25519SeedSize);
  randombytes_buf(seed.MutableSecret().data(), seed.size());
  return *FromSeed(seed.RevealSecret());
}

Result<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(ByteSpan seed) {
  EnsureSodium();
  if (seed.size() != kEd25519SeedSize) {
    return InvalidArgumentError("Ed25519 private key (seed) must be 32 bytes, got " + std::to_string(seed.size()));
  }
  std::array<std::uint8_t, kEd25519PublicKeySize> pk;
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  if (crypto_sign_seed_keypair(pk.data(), expanded.MutableSecret().data(), seed.data()) != 0) {
    return InternalError("Ed25519 key derivation failed");
  }
  return Ed25519PrivateKey(SecretBytes(seed), std::move(expanded), *Ed25519PublicKey::FromBytes(pk));
}

Ed25519Signature Ed25519PrivateKey::Sign(ByteSpan message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), expanded_.RevealSecret().data());
  return sig;
}

Status Verify(const Ed25519PublicKey& key, ByteSpan message, ByteSpan signature) {
  EnsureSodium();
  if (signature.size() != kEd25519SignatureSize) {
    return InvalidArgumentError("Ed25519 signature must be 64 bytes, got " + std::to_string(signature.size()));
  }
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.bytes().data()) != 0) {
    return UnauthenticatedError("signature does not verify");
  }
  return OkStatus();
}

}  // namespace aip::crypto
