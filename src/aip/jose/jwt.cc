#include "aip/jose/jwt.h"

#include "aip/base/ascii.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace aip::jose {
namespace {

Error Refuse(std::string why) { return UnauthenticatedError("token: " + std::move(why)); }

// NumericDate reads a JSON number of seconds; absent → nullopt; not a finite number → error.
Result<std::optional<std::int64_t>> NumericDate(const json::Object& claims, std::string_view name) {
  const json::Value* v = claims.if_contains(name);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() < (1ULL << 62)) return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get_uint64()));
  if (v->is_double() && std::isfinite(v->get_double()) && std::abs(v->get_double()) < 1e15) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(v->get_double())));
  }
  return Refuse("\"" + std::string(name) + "\" is not a NumericDate");
}

}  // namespace

Status CheckClaims(const json::Object& claims, const JwtCheck& check) {
  const json::Value* iss = claims.if_contains("iss");
  if (iss == nullptr || !iss->is_string() || iss->get_string() != check.issuer) return Refuse("wrong issuer");
  const json::Value* aud = claims.if_contains("aud");
  bool aud_ok = false;
  auto ours = [&](const json::Value& v) {
    return v.is_string() && std::find(check.audiences.begin(), check.audiences.end(), v.get_string()) != check.audiences.end();
  };
  if (aud != nullptr && aud->is_string()) aud_ok = ours(*aud);
  if (aud != nullptr && aud->is_array()) aud_ok = std::any_of(aud->get_array().begin(), aud->get_array().end(), ours);
  if (!aud_ok) return Refuse("not issued for this resource (aud)");
  auto leeway = std::min<std::int64_t>(check.leeway.count(), 300);
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(check.clock->Now().time_since_epoch()).count();
  AIP_ASSIGN_OR_RETURN(auto exp, NumericDate(claims, "exp"));
  AIP_ASSIGN_OR_RETURN(auto nbf, NumericDate(claims, "nbf"));
  AIP_ASSIGN_OR_RETURN(auto iat, NumericDate(claims, "iat"));
  if (!exp) return Refuse("no expiry (exp)");
  if (*exp + leeway <= now) return Refuse("expired");
  if (nbf && *nbf - leeway > now) return Refuse("not valid yet (nbf)");
  if (iat && *iat - leeway > now) return Refuse("issued in the future (iat)");
  return OkStatus();
}

Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwkSet& keys, const JwtCheck& check) {
  auto jws = ParseCompactJws(token);
  if (!jws) return Refuse(jws.error().message);
  if (!check.algorithms.contains(jws->alg)) return Refuse("algorithm " + std::string(AlgorithmName(jws->alg)) + " is not accepted here");
  const json::Value* typ = jws->header.if_contains("typ");
  if (typ != nullptr && !typ->is_string()) return Refuse("\"typ\" must be a string");
  std::string t = typ != nullptr ? AsciiLower(typ->get_string()) : "";
  bool at_jwt = t == "at+jwt" || t == "application/at+jwt";
  if (check.require_at_jwt ? !at_jwt : !(at_jwt || t.empty() || t == "jwt")) return Refuse("wrong type (typ)");
  auto key = SelectKey(keys, *jws);
  if (!key) return key.error();  // kNotFound: the caller may refresh its keys.
  if (Status s = VerifyJws(*jws, **key); !s.ok()) return Refuse("bad signature");
  auto claims = json::ParseJsonObject(jws->payload);
  if (!claims) return Refuse("the claims are not a JSON object");
  AIP_RETURN_IF_ERROR(CheckClaims(*claims, check));
  AIP_ASSIGN_OR_RETURN(auto exp, NumericDate(*claims, "exp"));
  return VerifiedJwt{std::move(*claims), jws->alg, jws->kid, TimePoint(std::chrono::seconds(exp.value_or(0)))};
}

}  // namespace aip::jose
