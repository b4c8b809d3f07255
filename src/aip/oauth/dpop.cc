#include "aip/oauth/dpop.h"

#include "aip/base/ascii.h"

#include <algorithm>
#include <cmath>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/net/http.h"

namespace aip::oauth {
namespace {

Error Refuse(std::string why) { return UnauthenticatedError("DPoP proof: " + std::move(why)); }

std::string Path(std::string_view target) {
  std::size_t end = target.find_first_of("?#");
  return std::string(target.substr(0, end));
}

}  // namespace

DpopNonces::DpopNonces(std::chrono::seconds lifetime, const Clock* clock)
    : key_(crypto::RandomBytes(32)), lifetime_(std::max(lifetime, std::chrono::seconds(1))), clock_(clock) {}

Result<std::shared_ptr<const DpopNonces>> DpopNonces::Shared(ByteSpan secret, std::chrono::seconds lifetime, const Clock* clock) {
  if (secret.size() < 32) return InvalidArgumentError("a DPoP nonce secret needs at least 32 bytes");
  static constexpr std::string_view kLabel = "aip dpop-nonce key v1";
  crypto::Sha256Digest key = crypto::HmacSha256(secret, AsBytes(kLabel));
  crypto::SecretBytes derived(ByteSpan(key.data(), key.size()));
  crypto::SecureWipe(key);
  return std::shared_ptr<const DpopNonces>(new DpopNonces(std::move(derived), lifetime, clock));
}

std::int64_t DpopNonces::WindowNow() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_->Now().time_since_epoch()).count() / lifetime_.count();
}

std::string DpopNonces::ForWindow(std::int64_t window) const {
  std::uint8_t number[8];
  for (int i = 0; i < 8; ++i) number[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(window) >> (56 - 8 * i));
  crypto::Sha256Digest mac = crypto::HmacSha256(key_.RevealSecret(), number);
  Bytes nonce(number, number + 8);
  nonce.insert(nonce.end(), mac.begin(), mac.begin() + 16);
  return Base64UrlEncode(nonce);
}

std::string DpopNonces::Current() const { return ForWindow(WindowNow()); }

bool DpopNonces::Valid(std::string_view nonce) const {
  std::int64_t now = WindowNow();
  bool ok = false;
  for (std::int64_t w : {now, now - 1}) {
    std::string expected = ForWindow(w);
    ok |= nonce.size() == expected.size() && crypto::ConstantTimeEquals(AsBytes(nonce), AsBytes(expected));
  }
  return ok;
}

bool SameHttpUri(std::string_view a, std::string_view b) {
  auto ua = net::ParseUrl(a), ub = net::ParseUrl(b);
  return ua && ub && AsciiLower(ua->scheme) == AsciiLower(ub->scheme) && AsciiLower(ua->host) == AsciiLower(ub->host) &&
         ua->port == ub->port && Path(ua->target) == Path(ub->target);
}

Result<std::string> VerifyDpopProof(std::string_view proof, std::string_view method, std::string_view target_uri,
                                    std::string_view access_token, const DpopOptions& options) {
  auto jws = jose::ParseCompactJws(proof);
  if (!jws) return Refuse(jws.error().message);
  const json::Value* typ = jws->header.if_contains("typ");
  if (typ == nullptr || !typ->is_string() || AsciiLower(typ->get_string()) != "dpop+jwt") return Refuse("typ must be dpop+jwt");
  if (jws->alg == jose::Algorithm::kHS256 || !options.algorithms.contains(jws->alg)) {
    return Refuse("algorithm " + std::string(jose::AlgorithmName(jws->alg)) + " is not accepted");
  }
  const json::Value* jwk = jws->header.if_contains("jwk");
  if (jwk == nullptr || !jwk->is_object()) return Refuse("no public key (jwk) in the header");
  auto key = jose::ParseJwk(jwk->get_object());  // Refuses private parts and symmetric keys.
  if (!key) return Refuse(key.error().message);
  if (Status s = jose::VerifyJws(*jws, *key); !s.ok()) return Refuse("bad signature");
  auto claims = json::ParseJsonObject(jws->payload);
  if (!claims) return Refuse("claims are not a JSON object");
  auto str = [&](std::string_view name) -> std::string {
    const json::Value* v = claims->if_contains(name);
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  if (str("htm") != method) return Refuse("htm does not match the request method");
  if (!SameHttpUri(str("htu"), target_uri)) return Refuse("htu does not match the request URI");
  const json::Value* iat = claims->if_contains("iat");
  if (iat == nullptr || !iat->is_number()) return Refuse("no iat");
  double issued = iat->is_double() ? iat->get_double() : static_cast<double>(iat->is_int64() ? iat->get_int64() : 0);
  TimePoint now = options.clock->Now();
  double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  if (!std::isfinite(issued) || std::abs(now_s - issued) > static_cast<double>(options.window.count())) {
    return Refuse("iat outside the accepted window");
  }
  std::string jti = str("jti");
  if (jti.empty() || jti.size() > 256) return Refuse("jti missing or too long");
  std::string expected_ath = Base64UrlEncode(crypto::Sha256(AsBytes(access_token)));
  std::string ath = str("ath");
  if (ath.size() != expected_ath.size() || !crypto::ConstantTimeEquals(AsBytes(ath), AsBytes(expected_ath))) {
    return Refuse("ath does not hash the access token");
  }
  if (options.nonces && !options.nonces->Valid(str("nonce"))) {
    return FailedPreconditionError(str("nonce").empty() ? "DPoP proof: this resource requires a server nonce"
                                                        : "DPoP proof: the nonce is not current");
  }
  AIP_ASSIGN_OR_RETURN(std::string jkt, jose::JwkThumbprint(jwk->get_object()));
  if (options.replay) {
    // Keyed by the proof's key too: one client's jti cannot block another's.
    TimePoint issued_at = TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(issued)));
    if (Status s = options.replay->Remember("dpop:" + jkt + ":" + jti, issued_at, now + 2 * options.window, now); !s.ok()) {
      return Refuse(s.code() == ErrorCode::kResourceExhausted    ? "replay cache full"
                    : s.code() == ErrorCode::kFailedPrecondition ? "issued before this server started (sign a new proof)"
                                                                 : "jti already used (replay)");
    }
  }
  return jkt;
}

}  // namespace aip::oauth
