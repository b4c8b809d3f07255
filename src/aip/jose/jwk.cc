#include "aip/jose/jwk.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"

namespace aip::jose {
namespace {

Error Bad(std::string why) { return InvalidArgumentError("JWK: " + std::move(why)); }

Result<std::string_view> Member(const json::Object& o, std::string_view name) {
  const json::Value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return Bad("\"" + std::string(name) + "\" must be a string");
  return std::string_view(v->get_string());
}

Result<Bytes> B64Member(const json::Object& o, std::string_view name) {
  AIP_ASSIGN_OR_RETURN(std::string_view text, Member(o, name));
  auto bytes = Base64UrlDecode(text);
  if (!bytes) return Bad("\"" + std::string(name) + "\" is not base64url");
  return std::move(*bytes);
}

// StripLeadingZeros: JWK integers are minimal big-endian, but some issuers pad; the value counts.
Bytes StripLeadingZeros(Bytes b) {
  auto first = std::find_if(b.begin(), b.end(), [](std::uint8_t c) { return c != 0; });
  b.erase(b.begin(), first);
  return b;
}

}  // namespace

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  if (name == "RS256") return Algorithm::kRS256;
  if (name == "PS256") return Algorithm::kPS256;
  if (name == "ES256") return Algorithm::kES256;
  if (name == "EdDSA") return Algorithm::kEdDSA;
  if (name == "HS256") return Algorithm::kHS256;
  return std::nullopt;
}

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRS256:
      return "RS256";
    case Algorithm::kPS256:
      return "PS256";
    case Algorithm::kES256:
      return "ES256";
    case Algorithm::kEdDSA:
      return "EdDSA";
    case Algorithm::kHS256:
      return "HS256";
  }
  return "";
}

bool Jwk::Allows(Algorithm a) const {
  if (alg && *alg != a) return false;
  switch (type) {
    case Type::kRsa:
      return a == Algorithm::kRS256 || a == Algorithm::kPS256;
    case Type::kP256:
      return a == Algorithm::kES256;
    case Type::kEd25519:
      return a == Algorithm::kEdDSA;
    case Type::kOctet:
      return a == Algorithm::kHS256;
  }
  return false;
}

Result<Jwk> ParseJwk(const json::Object& o, const JwkOptions& options) {
  Jwk k;
  AIP_ASSIGN_OR_RETURN(std::string_view kty, Member(o, "kty"));
  if (o.contains("kid")) {
    AIP_ASSIGN_OR_RETURN(std::string_view kid, Member(o, "kid"));
    k.kid = std::string(kid);
  }
  if (o.contains("use")) {
    AIP_ASSIGN_OR_RETURN(std::string_view use, Member(o, "use"));
    if (use != "sig") return Bad("\"use\" is \"" + std::string(use) + "\", not \"sig\"");
  }
  if (const json::Value* ops = o.if_contains("key_ops")) {
    bool verify = ops->is_array() &&
                  std::any_of(ops->get_array().begin(), ops->get_array().end(), [](const json::Value& v) { return v == "verify"; });
    if (!verify) return Bad("\"key_ops\" does not allow \"verify\"");
  }
  if (o.contains("alg")) {
    AIP_ASSIGN_OR_RETURN(std::string_view alg, Member(o, "alg"));
    k.alg = AlgorithmFromName(alg);
    if (!k.alg) return Bad("algorithm \"" + std::string(alg) + "\" is not accepted");
  }
  bool has_private = o.contains("d") || o.contains("p") || o.contains("q");
  if (kty == "RSA") {
    if (has_private) return Bad("an RSA key with private parts");
    AIP_ASSIGN_OR_RETURN(Bytes n, B64Member(o, "n"));
    AIP_ASSIGN_OR_RETURN(Bytes e, B64Member(o, "e"));
    auto key = crypto::PublicKey::RsaFromComponents(StripLeadingZeros(std::move(n)), StripLeadingZeros(std::move(e)));
    if (!key) return Bad(key.error().message);
    k.type = Jwk::Type::kRsa;
    k.public_key = std::move(*key);
  } else if (kty == "EC") {
    if (has_private) return Bad("an EC key with private parts");
    AIP_ASSIGN_OR_RETURN(std::string_view crv, Member(o, "crv"));
    if (crv != "P-256") return Bad("curve \"" + std::string(crv) + "\" is not accepted");
    AIP_ASSIGN_OR_RETURN(Bytes x, B64Member(o, "x"));
    AIP_ASSIGN_OR_RETURN(Bytes y, B64Member(o, "y"));
    auto key = crypto::PublicKey::P256FromCoordinates(x, y);
    if (!key) return Bad(key.error().message);
    k.type = Jwk::Type::kP256;
    k.public_key = std::move(*key);
  } else if (kty == "OKP") {
    if (has_private) return Bad("an OKP key with private parts");
    AIP_ASSIGN_OR_RETURN(std::string_view crv, Member(o, "crv"));
    if (crv != "Ed25519") return Bad("curve \"" + std::string(crv) + "\" is not accepted");
    AIP_ASSIGN_OR_RETURN(Bytes x, B64Member(o, "x"));
    auto key = crypto::Ed25519PublicKey::FromBytes(x);
    if (!key) return Bad(key.error().message);
    k.type = Jwk::Type::kEd25519;
    k.ed25519 = *key;
  } else if (kty == "oct") {
    if (!options.allow_symmetric) return Bad("symmetric keys are accepted only from local configuration");
    AIP_ASSIGN_OR_RETURN(Bytes secret, B64Member(o, "k"));
    // RFC 7518 §3.2: an HS256 key is at least as long as the hash.
    if (secret.size() < 32) return Bad("an HS256 key needs at least 256 bits");
    k.type = Jwk::Type::kOctet;
    k.secret = crypto::SecretBytes(secret);
    crypto::SecureWipe(secret);
  } else {
    return Bad("key type \"" + std::string(kty) + "\" is not accepted");
  }
  if (k.alg && !k.Allows(*k.alg)) return Bad("\"alg\" does not fit the key type");
  return k;
}

Result<std::string> JwkThumbprint(const json::Object& jwk) {
  AIP_ASSIGN_OR_RETURN(std::string_view kty, Member(jwk, "kty"));
  std::vector<std::string_view> members;
  if (kty == "RSA") {
    members = {"e", "kty", "n"};
  } else if (kty == "EC") {
    members = {"crv", "kty", "x", "y"};
  } else if (kty == "OKP") {
    members = {"crv", "kty", "x"};
  } else {
    return Bad("no thumbprint for key type \"" + std::string(kty) + "\"");
  }
  json::Object required;
  for (std::string_view m : members) {
    AIP_ASSIGN_OR_RETURN(std::string_view v, Member(jwk, m));
    required[m] = v;
  }
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(required));
  return Base64UrlEncode(crypto::Sha256(AsBytes(canonical)));
}

Result<JwkSet> ParseJwkSet(const json::Value& set, const JwkOptions& options) {
  const json::Value* keys = set.is_object() ? set.get_object().if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) return Bad("a key set needs a \"keys\" array");
  JwkSet out;
  // A kid named twice is ambiguous even when one of the two keys is unusable: which one the
  // issuer meant cannot be known.
  std::vector<std::string_view> kids;
  for (const auto& v : keys->get_array()) {
    if (!v.is_object()) return Bad("a key must be an object");
    const json::Value* kid = v.get_object().if_contains("kid");
    if (kid == nullptr || !kid->is_string()) continue;
    if (std::find(kids.begin(), kids.end(), std::string_view(kid->get_string())) != kids.end()) {
      return Bad("duplicate kid \"" + std::string(kid->get_string()) + "\"");
    }
    kids.push_back(kid->get_string());
  }
  for (const auto& v : keys->get_array()) {
    auto k = ParseJwk(v.get_object(), options);
    if (!k) {
      // A key we cannot verify with (for encryption, another curve, too weak, malformed) is
      // left out, with why: a token naming it is then refused, and the others keep working.
      out.skipped.push_back(k.error().message);
      continue;
    }
    out.keys.push_back(std::move(*k));
  }
  for (std::size_t i = 0; i < out.keys.size(); ++i) {
    for (std::size_t j = i + 1; j < out.keys.size(); ++j) {
      if ((out.keys[i].type == Jwk::Type::kOctet) != (out.keys[j].type == Jwk::Type::kOctet)) {
        return Bad("a key set mixing symmetric and asymmetric keys");
      }
    }
  }
  return out;
}

}  // namespace aip::jose
