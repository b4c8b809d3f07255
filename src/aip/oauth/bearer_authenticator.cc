#include "aip/oauth/bearer_authenticator.h"

#include <algorithm>
#include <sstream>

#include "aip/base/ascii.h"

namespace aip::oauth {
namespace {

authn::AuthFailure Refuse(std::string reason, std::string message) { return {std::move(reason), std::move(message)}; }

std::string StringClaim(const json::Object& claims, std::string_view name) {
  const json::Value* v = claims.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

authn::Principal PrincipalFromClaims(const json::Object& claims) {
  authn::Principal p;
  p.kind = authn::Principal::Kind::kUser;
  p.subject = StringClaim(claims, "sub");
  p.id = p.subject;
  p.client_id = StringClaim(claims, "client_id");
  if (p.client_id.empty()) p.client_id = StringClaim(claims, "azp");
  // RFC 8693 §4.1: "act" nests, the current actor outermost.
  const json::Value* act = claims.if_contains("act");
  for (int depth = 0; act != nullptr && act->is_object() && depth < 8; ++depth) {
    std::string sub = StringClaim(act->get_object(), "sub");
    if (!sub.empty()) p.actor_chain.push_back(sub);
    act = act->get_object().if_contains("act");
  }
  if (const json::Value* scope = claims.if_contains("scope"); scope != nullptr && scope->is_string()) {
    std::istringstream in{std::string(scope->get_string())};
    for (std::string s; in >> s;) p.scopes.push_back(s);
  } else if (const json::Value* scp = claims.if_contains("scp"); scp != nullptr && scp->is_array()) {
    for (const auto& s : scp->get_array()) {
      if (s.is_string()) p.scopes.emplace_back(s.get_string());
    }
  }
  if (const json::Value* roles = claims.if_contains("roles"); roles != nullptr && roles->is_array()) {
    for (const auto& r : roles->get_array()) {
      if (r.is_string()) p.roles.emplace_back(r.get_string());
    }
  }
  p.attributes["issuer"] = StringClaim(claims, "iss");
  return p;
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
  authn::Principal p = PrincipalFromClaims(verified->claims);
  if (p.subject.empty()) return Refuse("invalid_token", "token: no subject (sub)");
  std::string bound;
  if (const json::Value* cnf = verified->claims.if_contains("cnf")) {
    const json::Value* j = cnf->is_object() ? cnf->get_object().if_contains("jkt") : nullptr;
    if (j == nullptr || !j->is_string() || j->get_string().empty()) return Refuse("invalid_token", "token: cnf without jkt");
    bound = std::string(j->get_string());
  }
  if (jkt != nullptr) *jkt = bound;
  Remember(token, Cached{p, verified->expires, bound});
  return p;
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
  authn::Principal p = PrincipalFromClaims(*claims);
  if (p.subject.empty()) return Refuse("invalid_token", "token: no subject (sub)");
  std::string bound;
  if (const json::Value* cnf = claims->if_contains("cnf"); cnf != nullptr && cnf->is_object()) {
    const json::Value* j = cnf->get_object().if_contains("jkt");
    if (j == nullptr || !j->is_string()) return Refuse("invalid_token", "token: cnf without jkt");
    bound = std::string(j->get_string());
  }
  if (jkt != nullptr) *jkt = bound;
  // Remembered no longer than the token lives, nor than the introspection cache allows.
  const json::Value* exp = claims->if_contains("exp");
  TimePoint expires = check.clock->Now() + introspection_cache_;
  if (exp != nullptr && exp->is_int64()) expires = std::min(expires, TimePoint(std::chrono::seconds(exp->get_int64())));
  Remember(token, Cached{p, expires - check.leeway, bound});
  return p;
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
