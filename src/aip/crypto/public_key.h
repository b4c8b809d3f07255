// PublicKey: the RSA and ECDSA P-256 public keys of JOSE (RS256, PS256, ES256), verified with
// OpenSSL. Keys are built from their JWK components or an SPKI DER, and checked when built: RSA
// moduli of 2048 to 8192 bits with an odd exponent, P-256 points that lie on the curve. ECDSA
// signatures come in both encodings: strict DER (X.509) and the fixed 64-byte r‖s of JWS.
#pragma once

#include <memory>

#include "aip/base/bytes.h"
#include "aip/base/status.h"

namespace aip::crypto {

class PublicKey {
 public:
  enum class Type { kRsa, kP256 };

  // RsaFromComponents takes the big-endian modulus and exponent (JWK "n" and "e").
  static Result<PublicKey> RsaFromComponents(ByteSpan modulus, ByteSpan exponent);
  // P256FromCoordinates takes the 32-byte big-endian coordinates (JWK "x" and "y").
  static Result<PublicKey> P256FromCoordinates(ByteSpan x, ByteSpan y);
  // FromSpkiDer reads a SubjectPublicKeyInfo holding an RSA or P-256 key.
  static Result<PublicKey> FromSpkiDer(ByteSpan der);

  Type type() const { return type_; }
  int bits() const;

  // Each returns OK only for a valid signature of `message` by this key with that algorithm; a
  // key of the other type is an error, never a match.
  Status VerifyRsaPkcs1Sha256(ByteSpan message, ByteSpan signature) const;
  Status VerifyRsaPssSha256(ByteSpan message, ByteSpan signature) const;  // MGF1-SHA-256, 32-byte salt.
  Status VerifyEcdsaSha256Der(ByteSpan message, ByteSpan signature) const;
  Status VerifyEcdsaSha256P1363(ByteSpan message, ByteSpan signature) const;  // r‖s, 64 bytes.

  struct Key;  // The OpenSSL key, shared between copies (it is immutable).

 private:
  PublicKey(std::shared_ptr<Key> key, Type type) : key_(std::move(key)), type_(type) {}
  static Result<PublicKey> Checked(std::shared_ptr<Key> key);
  Status Verify(ByteSpan message, ByteSpan signature, bool pss) const;

  std::shared_ptr<Key> key_;
  Type type_;
};

}  // namespace aip::crypto
