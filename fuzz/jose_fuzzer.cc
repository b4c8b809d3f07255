// Tokens and key sets come from the network. The JWS parser and the JWK set parser must refuse
// or accept any input without undefined behaviour; a token must never verify against a key set
// it was not signed for (the fixed set below has no key any input could know).
#include <cstdint>
#include <string_view>

#include "aip/base/encoding.h"
#include "aip/jose/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const aip::jose::JwkSet kKeys = [] {
    auto key = aip::crypto::Ed25519PrivateKey::Generate();
    aip::json::Object jwk{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", aip::Base64UrlEncode(key.public_key().bytes())}};
    return aip::jose::ParseJwkSet(aip::json::Object{{"keys", aip::json::Array{jwk}}}).value();
  }();
  aip::jose::JwtCheck check{"https://as.example", {"https://rs.example"}};
  if (aip::jose::VerifyJwt(text, kKeys, check).ok()) __builtin_trap();
  if (auto json = aip::json::ParseJson(text)) (void)aip::jose::ParseJwkSet(*json);
  return 0;
}
