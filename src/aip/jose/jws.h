// JWS compact serialization (RFC 7515), verification only. The protected header is parsed
// strictly (no duplicate members, UTF-8 checked); its "alg" must be one of the accepted five,
// and "crit" is refused (no extension is understood). Keys are never taken from the token:
// "jwk", "jku", "x5u" and "x5c" are ignored, the key comes from the verifier's own set.
#pragma once

#include <string>
#include <string_view>

#include "aip/base/json.h"
#include "aip/jose/jwk.h"

namespace aip::jose {

inline constexpr std::size_t kMaxCompactJwsBytes = 16 * 1024;

struct Jws {
  json::Object header;
  Algorithm alg = Algorithm::kRS256;
  std::string kid;            // Empty when the header names none.
  std::string payload;        // Decoded.
  std::string signing_input;  // BASE64URL(header) "." BASE64URL(payload)
  Bytes signature;
};

// ParseCompactJws splits and decodes a compact JWS; it verifies nothing.
Result<Jws> ParseCompactJws(std::string_view text);

// SelectKey picks the key a JWS must verify with: the one with its kid (exactly one), or, when
// the token names no kid, the only key of the set that allows its algorithm.
Result<const Jwk*> SelectKey(const JwkSet& keys, const Jws& jws);

// VerifyJws checks the signature with `key`, which must allow the token's algorithm.
Status VerifyJws(const Jws& jws, const Jwk& key);

}  // namespace aip::jose
