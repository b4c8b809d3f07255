#include "aip/crypto/aead.h"

#include <sodium.h>

#include "aip/crypto/sodium_init.h"

namespace aip::crypto {
namespace {

Status CheckSizes(const SecretBytes& key, ByteSpan nonce) {
  if (key.size() != kXChaChaKeySize) return InvalidArgumentError("XChaCha20-Poly1305 key must be 32 bytes");
  if (nonce.size() != kXChaChaNonceSize) return InvalidArgumentError("XChaCha20-Poly1305 nonce must be 24 bytes");
  return OkStatus();
}

}  // namespace

Result<Bytes> XChaChaSeal(const SecretBytes& key, ByteSpan nonce, ByteSpan plaintext, ByteSpan aad) {
  EnsureSodium();
  AIP_RETURN_IF_ERROR(CheckSizes(key, nonce));
  Bytes out(plaintext.size() + kXChaChaTagSize);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data(), &len, plaintext.data(), plaintext.size(), aad.data(), aad.size(), nullptr,
                                             nonce.data(), key.RevealSecret().data());
  out.resize(len);
  return out;
}

Result<SecretBytes> XChaChaOpen(const SecretBytes& key, ByteSpan nonce, ByteSpan sealed, ByteSpan aad) {
  EnsureSodium();
  AIP_RETURN_IF_ERROR(CheckSizes(key, nonce));
  if (sealed.size() < kXChaChaTagSize) return UnauthenticatedError("ciphertext too short");
  SecretBytes out(sealed.size() - kXChaChaTagSize);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.MutableSecret().data(), &len, nullptr, sealed.data(), sealed.size(), aad.data(),
                                                 aad.size(), nonce.data(), key.RevealSecret().data()) != 0) {
    return UnauthenticatedError("decryption failed: wrong key or corrupted data");
  }
  return out;
}

}  // namespace aip::crypto
