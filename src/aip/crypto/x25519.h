// X25519 key agreement (RFC 7748) and sealed boxes (libsodium crypto_box_seal: an anonymous
// sender encrypts to a recipient's X25519 key). Ed25519 identities derive their X25519 keys with
// the birational map, as did:key documents do for keyAgreement.
#pragma once

#include <array>
#include <cstdint>

#include "aip/base/bytes.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::crypto {

inline constexpr std::size_t kX25519KeySize = 32;
using X25519PublicKey = std::array<std::uint8_t, kX25519KeySize>;

// X25519 computes the shared secret; fails with kInvalidArgument on wrong lengths and
// kUnauthenticated when the result is all zeros (a low-order peer key; RFC 7748 §6.1).
Result<SecretBytes> X25519(const SecretBytes& private_key, ByteSpan peer_public_key);

// X25519PublicFromPrivate returns the public key of a 32-byte private scalar.
Result<X25519PublicKey> X25519PublicFromPrivate(const SecretBytes& private_key);

// Conversions from an Ed25519 identity to its X25519 key agreement key pair.
Result<X25519PublicKey> X25519PublicFromEd25519(const Ed25519PublicKey& key);
SecretBytes X25519PrivateFromEd25519(const Ed25519PrivateKey& key);

// SealTo encrypts `plaintext` to `recipient` (ephemeral X25519 + XSalsa20-Poly1305).
Result<Bytes> SealTo(const X25519PublicKey& recipient, ByteSpan plaintext);
// OpenSealed decrypts a sealed box; any tampering gives kUnauthenticated.
Result<Bytes> OpenSealed(const X25519PublicKey& recipient_public, const SecretBytes& recipient_private, ByteSpan sealed);

}  // namespace aip::crypto
