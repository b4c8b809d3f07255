// JWK and JWK sets (RFC 7517) for verifying JWS: the five algorithms aip accepts, and keys bound
// to them. A key allows an algorithm only when its type, curve, "alg", "use" and "key_ops" all
// agree: an RSA key never verifies HS256 (the RS256→HS256 confusion), a P-256 key never EdDSA.
// "none" is not an algorithm here at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"
#include "aip/crypto/public_key.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::jose {

enum class Algorithm { kRS256, kPS256, kES256, kEdDSA, kHS256 };

// AlgorithmFromName knows exactly RS256, PS256, ES256, EdDSA and HS256.
std::optional<Algorithm> AlgorithmFromName(std::string_view name);
std::string_view AlgorithmName(Algorithm alg);

struct Jwk {
  enum class Type { kRsa, kP256, kEd25519, kOctet };
  Type type = Type::kRsa;
  std::string kid;
  std::optional<Algorithm> alg;                 // Named by the key: the only algorithm it verifies.
  std::optional<crypto::PublicKey> public_key;  // RSA, P-256.
  std::optional<crypto::Ed25519PublicKey> ed25519;
  std::optional<crypto::SecretBytes> secret;  // oct, for HS256.

  bool Allows(Algorithm a) const;
};

struct JwkOptions {
  // Symmetric keys come only from local configuration, never from a fetched JWKS.
  bool allow_symmetric = false;
};

// ParseJwk reads one public key (or, when allowed, a symmetric one). Refused: unknown or
// mismatched kty/crv/alg, use other than "sig", key_ops without "verify", RSA outside
// 2048..8192 bits or with a ROCA modulus, P-256 points off the curve, HMAC keys under 256 bits,
// and asymmetric keys carrying private parts (a published private key is a broken key).
Result<Jwk> ParseJwk(const json::Object& jwk, const JwkOptions& options = {});

// JwkThumbprint is the RFC 7638 thumbprint (base64url SHA-256 of the key's required members,
// canonical JSON) of an RSA, EC or OKP public key: how DPoP binds a token to a key.
Result<std::string> JwkThumbprint(const json::Object& jwk);

struct JwkSet {
  std::vector<Jwk> keys;
  std::vector<std::string> skipped;  // Why each unusable key was left out.
};

// ParseJwkSet refuses sets with a duplicate kid or that mix symmetric and asymmetric keys
// (both make the key a token selects ambiguous). Keys ParseJwk refuses are left out.
Result<JwkSet> ParseJwkSet(const json::Value& set, const JwkOptions& options = {});

}  // namespace aip::jose
