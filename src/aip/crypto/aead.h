// XChaCha20-Poly1305 (IETF construction with a 192-bit nonce): authenticated encryption for data at
// rest, such as a passphrase-protected identity file. Random nonces are safe at this size.
#pragma once

#include "aip/base/bytes.h"
#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::crypto {

inline constexpr std::size_t kXChaChaKeySize = 32;
inline constexpr std::size_t kXChaChaNonceSize = 24;
inline constexpr std::size_t kXChaChaTagSize = 16;

// XChaChaSeal returns ciphertext || tag.
Result<Bytes> XChaChaSeal(const SecretBytes& key, ByteSpan nonce, ByteSpan plaintext, ByteSpan aad);
// XChaChaOpen verifies and decrypts ciphertext || tag; any change gives kUnauthenticated.
Result<SecretBytes> XChaChaOpen(const SecretBytes& key, ByteSpan nonce, ByteSpan sealed, ByteSpan aad);

}  // namespace aip::crypto
