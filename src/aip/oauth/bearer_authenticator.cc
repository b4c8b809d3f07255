#include "aip/oauth/bearer_authenticator.h"

#include <algorithm>
#include <sstream>

#include "aip/base/ascii.h"
#include "aip/base/field_reader.h"

namespace aip::oauth {
namespace {

authn::AuthFailure Refuse(std::string reason, std::string message) { return {std::move(reason), std::move(message)}; }

constexpr std::size_t kMaxClaimBytes = 1024;
constexpr std::size_t kMaxScopeBytes = 8 * 1024;
constexpr std::size_t kMaxClaimItems = 256;
constexpr int kMaxActorDepth = 8;

}  // namespace

Result<TokenHolder> ReadTokenHolder(const json::Object& claims) {
  json::FieldReader r(claims);
  TokenHolder holder;
  authn::Principal& p = holder.principal;
  p.kind = authn::Principal::Kind::kUser;
  AIP_RETURN_IF_ERROR(r.String("sub", p.subject, json::Need::kRequired, kMaxClaimBytes));
  if (p.subject.empty()) return r.Fail("sub", "must not be empty");
  p.id = p.subject;
  AIP_RETURN_IF_ERROR(r.String("client_id", p.client_id, json::Need::kOptional, kMaxClaimBytes));
  if (p.client_id.empty()) AIP_RETURN_IF_ERROR(r.String("azp", p.client_id, json::Need::kOptional, kMaxClaimBytes));
  // RFC 8693 §4.1: "act" nests, the current actor outermost.
  const json::Object* actor = nullptr;
  AIP_RETURN_IF_ERROR(r.ObjectMember("act", actor));
  std::string path = "/act";
  for (int depth = 0; actor != nullptr; ++depth, path += "/act") {
    json::FieldReader a(*actor, path);
    if (depth == kMaxActorDepth) return a.FailHere("nests more than " + std::to_string(kMaxActorDepth) + " actors");
    std::string sub;
    AIP_RETURN_IF_ERROR(a.String("sub", sub, json::Need::kOptional, kMaxClaimBytes));
    if (!sub.empty()) p.actor_chain.push_back(std::move(sub));
    actor = nullptr;
    AIP_RETURN_IF_ERROR(a.ObjectMember("act", actor));
  }
  if (r.Has("scope")) {
    std::string scope;
    AIP_RETURN_IF_ERROR(r.String("scope", scope, json::Need::kRequired, kMaxScopeBytes));
    std::istringstream in{scope};
    for (std::string s; in >> s;) p.scopes.push_back(s);
  } else {
    AIP_RETURN_IF_ERROR(r.Strings("scp", p.scopes, json::Need::kOptional, kMaxClaimItems, kMaxClaimBytes));
  }
  AIP_RETURN_IF_ERROR(r.Strings("roles", p.roles, json::Need::kOptional, kMaxClaimItems, kMaxClaimBytes));
  std::string issuer;
  AIP_RETURN_IF_ERROR(r.String("iss", issuer, json::Need::kOptional, kMaxClaimBytes));
  p.attributes["issuer"] = std::move(issuer);
  AIP_ASSIGN_OR_RETURN(auto cnf, r.Nested("cnf"));
  if (cnf) {
    AIP_RETURN_IF_ERROR(cnf->String("jkt", holder.bound_jkt, json::Need::kRequired, 128));
    if (holder.bound_jkt.empty()) return cnf->Fail("jkt", "must not be empty");
  }
  return holder;
}

BearerAuthenticator::BearerAuthenticator(std::shared_ptr<JwksSource> keys, BearerOptions options)
    : keys_(std::move(keys)),
      cache_entries_(options.cache_entries),
      dpop_(std::move(options.dpop)),
      dpop_required_(options.dpop_required),
      introspector_(std::move(options.introspector)),
      introspection_cache_(options.introspection_cache),
      check_(std::make_shared<const jose::JwtCheck>(std::move(options.check))) {}

std::shared_ptr<const jose::JwtCheck> BearerAuthenticator::check() const {
  std::lock_guard lock(mu_);
  return check_;
}

void BearerAuthenticator::AddAudience(std::string audience) {
  std::lock_guard lock(mu_);
  auto next = std::make_shared<jose::JwtCheck>(*check_);
  next->audiences.push_back(std::move(audience));
  check_ = std::move(next);
  cache_.clear();
}

std::variant<authn::Principal, authn::AuthFailure> BearerAuthenticator::Check(std::string_view token, std::string* jkt) {
  std::shared_ptr<const jose::JwtCheck> check;
  {
    std::lock_guard lock(mu_);
    check = check_;
    auto it = cache_.find(std::string(token));
    if (it != cache_.end()) {
      if (it->second.expires + check->leeway > check->clock->Now()) {
        if (jkt != nullptr) *jkt = it->second.jkt;
        return it->second.principal;
      }
      cache_.erase(it);
    }
  }
  // A JWT is three base64url parts; anything else is opaque and only the server can tell.
  bool jwt = std::count(token.begin(), token.end(), '.') == 2;
  if (!jwt) return CheckOpaque(token, *check, jkt);
  auto keys = keys_->Keys();
  if (!keys) return Refuse("issuer_unavailable", "cannot get the issuer's keys");
  auto verified = jose::VerifyJwt(token, **keys, *check);
  if (!verified && verified.error().code == ErrorCode::kNotFound) {
    // A kid we have not seen: the issuer may have rotated its keys. One re-fetch per cooldown.
    keys = keys_->RefreshForUnknownKid();
    if (!keys) return Refuse("issuer_unavailable", "cannot get the issuer's keys");
    verified = jose::VerifyJwt(token, **keys, *check);
  }
  if (!verified) {
    return Refuse(verified.error().code == ErrorCode::kNotFound ? "unknown_key" : "invalid_token", verified.error().message);
  }
  auto holder = ReadTokenHolder(verified->claims);
  if (!holder) return Refuse("invalid_token", "token: " + holder.error().message);
  if (jkt != nullptr) *jkt = holder->bound_jkt;
  Remember(token, Cached{holder->principal, verified->expires, holder->bound_jkt});
  return std::move(holder->principal);
}

void BearerAuthenticator::Remember(std::string_view token, Cached entry) {
  std::lock_guard lock(mu_);
  if (cache_.size() >= cache_entries_) cache_.clear();  // Bounded: start over rather than grow.
  cache_.insert_or_assign(std::string(token), std::move(entry));
}

std::variant<authn::Principal, authn::AuthFailure> BearerAuthenticator::CheckOpaque(std::string_view token, const jose::JwtCheck& check,
                                                                                    std::string* jkt) {
  if (!introspector_) return Refuse("invalid_token", "token: not a JWT, and no introspection is configured");
  if (token.empty() || token.size() > 4096) return Refuse("invalid_token", "token: empty or longer than 4 KiB");
  auto claims = introspector_->Introspect(token, check);
  if (!claims) {
    return Refuse(claims.error().code == ErrorCode::kUnavailable ? "issuer_unavailable" : "invalid_token", claims.error().message);
  }
  auto holder = ReadTokenHolder(*claims);
  if (!holder) return Refuse("invalid_token", "token: " + holder.error().message);
  if (jkt != nullptr) *jkt = holder->bound_jkt;
  // Remembered no longer than the token lives, nor than the introspection cache allows.
  const json::Value* exp = claims->if_contains("exp");
  TimePoint expires = check.clock->Now() + introspection_cache_;
  if (exp != nullptr && exp->is_int64()) expires = std::min(expires, TimePoint(std::chrono::seconds(exp->get_int64())));
  Remember(token, Cached{holder->principal, expires - check.leeway, holder->bound_jkt});
  return std::move(holder->principal);
}

std::variant<authn::Principal, authn::AuthFailure> BearerAuthenticator::Verify(const authn::Credential& credential, const json::Object&,
                                                                               const authn::HttpInfo* http) {
  std::string_view token = credential.value;
  bool dpop = credential.scheme == "dpop";
  if (http == nullptr || http->headers == nullptr) return Refuse("invalid_token", "a token comes in an HTTP header");
  std::string jkt;
  auto checked = Check(token, &jkt);
  if (auto* f = std::get_if<authn::AuthFailure>(&checked)) return std::move(*f);
  std::size_t proofs = http->headers->Count("dpop");
  if (!dpop) {
    // RFC 9449 §7.1: a bound token is useless without its proof, whatever scheme it came in.
    if (!jkt.empty()) return Refuse("invalid_token", "this token is DPoP-bound: send it as \"DPoP\" with a proof");
    if (dpop_required_) return Refuse("invalid_token", "this resource takes DPoP-bound tokens only");
    return std::move(std::get<authn::Principal>(checked));
  }
  if (jkt.empty()) return Refuse("invalid_token", "a DPoP request needs a DPoP-bound token (cnf.jkt)");
  if (proofs != 1) return Refuse("invalid_dpop_proof", "exactly one DPoP header is needed");
  auto proven = VerifyDpopProof(*http->headers->Get("dpop"), http->method, http->target_uri, token, dpop_);
  if (!proven && proven.error().code == ErrorCode::kFailedPrecondition && dpop_.nonces) {
    authn::AuthFailure f = Refuse("use_dpop_nonce", proven.error().message);
    f.dpop_nonce = dpop_.nonces->Current();
    return f;
  }
  if (!proven) return Refuse("invalid_dpop_proof", proven.error().message);
  if (*proven != jkt) return Refuse("invalid_dpop_proof", "DPoP proof: the key is not the one the token is bound to");
  auto p = std::move(std::get<authn::Principal>(checked));
  p.attributes["dpop_jkt"] = jkt;
  return p;
}

}  // namespace aip::oauth
