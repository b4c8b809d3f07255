#include "aip/crypto/x25519.h"

#include <sodium.h>

#include <cstring>

#include "aip/crypto/sodium_init.h"

namespace aip::crypto {

Result<SecretBytes> X25519(const SecretBytes& private_key, ByteSpan peer_public_key) {
  EnsureSodium();
  if (private_key.size() != kX25519KeySize || peer_public_key.size() != kX25519KeySize) {
    return InvalidArgumentError("X25519 keys must be 32 bytes");
  }
  SecretBytes shared(kX25519KeySize);
  if (crypto_scalarmult(shared.MutableSecret().data(), private_key.RevealSecret().data(), peer_public_key.data()) != 0) {
    return UnauthenticatedError("X25519: low-order public key");
  }
  return shared;
}

Result<X25519PublicKey> X25519PublicFromPrivate(const SecretBytes& private_key) {
  EnsureSodium();
  if (private_key.size() != kX25519KeySize) return InvalidArgumentError("X25519 private key must be 32 bytes");
  X25519PublicKey pub;
  if (crypto_scalarmult_base(pub.data(), private_key.RevealSecret().data()) != 0) {
    return InternalError("X25519: base point multiplication failed");
  }
  return pub;
}

Result<X25519PublicKey> X25519PublicFromEd25519(const Ed25519PublicKey& key) {
  EnsureSodium();
  X25519PublicKey out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), key.bytes().data()) != 0) {
    return InvalidArgumentError("Ed25519 public key has no X25519 equivalent");
  }
  return out;
}

SecretBytes X25519PrivateFromEd25519(const Ed25519PrivateKey& key) {
  EnsureSodium();
  // libsodium's conversion takes the 64-byte secret key; rebuild it from the seed.
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> pk;
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.MutableSecret().data(), key.seed().RevealSecret().data());
  SecretBytes out(kX25519KeySize);
  crypto_sign_ed25519_sk_to_curve25519(out.MutableSecret().data(), sk.RevealSecret().data());
  return out;
}

Result<Bytes> SealTo(const X25519PublicKey& recipient, ByteSpan plaintext) {
  EnsureSodium();
  Bytes out(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.data()) != 0) {
    return InvalidArgumentError("sealed box: invalid recipient key");
  }
  return out;
}

Result<Bytes> OpenSealed(const X25519PublicKey& recipient_public, const SecretBytes& recipient_private, ByteSpan sealed) {
  EnsureSodium();
  if (recipient_private.size() != kX25519KeySize) return InvalidArgumentError("X25519 private key must be 32 bytes");
  if (sealed.size() < crypto_box_SEALBYTES) return UnauthenticatedError("sealed box: too short");
  Bytes out(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), recipient_public.data(), recipient_private.RevealSecret().data()) !=
      0) {
    return UnauthenticatedError("sealed box: does not decrypt");
  }
  return out;
}

}  // namespace aip::crypto
