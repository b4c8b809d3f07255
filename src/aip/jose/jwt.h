// JWT access tokens (RFC 7519, RFC 9068) checked as RFC 8725 asks: the algorithm allow-listed
// and bound to the key, "typ" checked ("at+jwt" unless plain JWTs are configured), "iss" exact,
// "aud" containing one of our resource URIs (RFC 8707), "exp" required, "nbf" and "iat" not in
// the future, each with a bounded leeway.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/jose/jws.h"

namespace aip::jose {

struct JwtCheck {
  std::string issuer;
  std::vector<std::string> audiences;  // At least one must be in the token's "aud".
  std::set<Algorithm> algorithms{Algorithm::kRS256, Algorithm::kPS256, Algorithm::kES256, Algorithm::kEdDSA};
  bool require_at_jwt = true;       // RFC 9068 typ "at+jwt"; false also takes "JWT" or none.
  std::chrono::seconds leeway{60};  // Clock skew allowed on exp, nbf and iat (at most 5 min).
  const Clock* clock = &DefaultClock();
};

struct VerifiedJwt {
  json::Object claims;
  Algorithm alg;
  std::string kid;
  TimePoint expires;
};

// VerifyJwt parses, selects the key from `keys`, verifies and checks the claims. An error whose
// code is kNotFound means no key fit the token (the caller may refresh its key set once).
Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwkSet& keys, const JwtCheck& check);

// CheckClaims checks the registered claims of a verified token (also used for introspection).
Status CheckClaims(const json::Object& claims, const JwtCheck& check);

}  // namespace aip::jose
