#include "aip/jose/jws.h"

#include "aip/base/encoding.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/crypto/sha.h"

namespace aip::jose {
namespace {

Error Bad(std::string why) { return InvalidArgumentError("JWS: " + std::move(why)); }
Error BadSignature() { return UnauthenticatedError("JWS: signature does not verify"); }

}  // namespace

Result<Jws> ParseCompactJws(std::string_view text) {
  if (text.size() > kMaxCompactJwsBytes) return Bad("longer than 16 KiB");
  std::size_t d1 = text.find('.');
  std::size_t d2 = d1 == std::string_view::npos ? d1 : text.find('.', d1 + 1);
  if (d2 == std::string_view::npos || text.find('.', d2 + 1) != std::string_view::npos) {
    return Bad("not three dot-separated parts");
  }
  auto header_bytes = Base64UrlDecode(text.substr(0, d1));
  auto payload = Base64UrlDecode(text.substr(d1 + 1, d2 - d1 - 1));
  auto signature = Base64UrlDecode(text.substr(d2 + 1));
  if (!header_bytes || !payload || !signature) return Bad("a part is not base64url");
  auto header = json::ParseJsonObject(AsStringView(*header_bytes));
  if (!header) return Bad("the header is not a JSON object: " + header.error().message);
  Jws jws;
  const json::Value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return Bad("the header has no \"alg\"");
  auto a = AlgorithmFromName(alg->get_string());
  if (!a) return Bad("algorithm \"" + std::string(alg->get_string()) + "\" is not accepted");
  jws.alg = *a;
  if (header->contains("crit")) return Bad("\"crit\" names extensions this verifier does not understand");
  if (const json::Value* kid = header->if_contains("kid")) {
    if (!kid->is_string()) return Bad("\"kid\" must be a string");
    jws.kid = std::string(kid->get_string());
  }
  jws.header = std::move(*header);
  jws.payload = ToString(*payload);
  jws.signing_input = std::string(text.substr(0, d2));
  jws.signature = std::move(*signature);
  return jws;
}

Result<const Jwk*> SelectKey(const JwkSet& keys, const Jws& jws) {
  const Jwk* found = nullptr;
  for (const auto& k : keys.keys) {
    bool candidate = jws.kid.empty() ? k.Allows(jws.alg) : k.kid == jws.kid;
    if (!candidate) continue;
    if (found != nullptr) return Bad("more than one key fits the token");
    found = &k;
  }
  if (found == nullptr)
    return NotFoundError(jws.kid.empty() ? "JWS: no key for " + std::string(AlgorithmName(jws.alg))
                                         : "JWS: no key with kid \"" + jws.kid + "\"");
  return found;
}

Status VerifyJws(const Jws& jws, const Jwk& key) {
  if (!key.Allows(jws.alg)) return BadSignature();  // Algorithm confusion ends here.
  ByteSpan input = AsBytes(jws.signing_input);
  switch (jws.alg) {
    case Algorithm::kRS256:
      return key.public_key->VerifyRsaPkcs1Sha256(input, jws.signature);
    case Algorithm::kPS256:
      return key.public_key->VerifyRsaPssSha256(input, jws.signature);
    case Algorithm::kES256:
      return key.public_key->VerifyEcdsaSha256P1363(input, jws.signature);
    case Algorithm::kEdDSA: {
      Status s = crypto::Verify(*key.ed25519, input, jws.signature);
      return s.ok() ? s : BadSignature();
    }
    case Algorithm::kHS256: {
      return crypto::VerifyHmacSha256(key.secret->RevealSecret(), input, jws.signature).ok() ? OkStatus() : Status(BadSignature());
    }
  }
  return BadSignature();
}

}  // namespace aip::jose
