// BearerAuthenticator: OAuth 2.1 access tokens (JWT, RFC 9068) in "Authorization: Bearer" (or
// "Authorization: DPoP" with a DPoP proof, RFC 9449, for tokens bound to a key),
// verified against the issuer's keys (JwksSource) and checked as jose::VerifyJwt says. The
// principal it yields is the user the token speaks for ("sub") and the client acting for them
// ("client_id", or the RFC 8693 "act" chain), with the token's scopes, so policy can say "this
// agent, for this user". Verified tokens are remembered until they expire (bounded), so a
// token used again costs a hash lookup, not a signature check.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "aip/jose/jwt.h"
#include "aip/authn/authenticator.h"
#include "aip/oauth/dpop.h"
#include "aip/oauth/introspection.h"
#include "aip/oauth/jwks_source.h"

namespace aip::oauth {

struct BearerOptions {
  jose::JwtCheck check;
  std::size_t cache_entries = 10000;
  DpopOptions dpop;
  // Every token must be DPoP-bound ("Authorization: DPoP" with a proof); otherwise only tokens
  // that are bound (cnf.jkt) need one, and unbound tokens may come as "Bearer".
  bool dpop_required = false;
  // Opaque (non-JWT) tokens are introspected when set; their answers are remembered at most
  // this long (a token revoked at the server stops working within it).
  std::shared_ptr<const Introspector> introspector;
  std::chrono::seconds introspection_cache{60};
};

class BearerAuthenticator final : public authn::CredentialAuthenticator {
 public:
  BearerAuthenticator(std::shared_ptr<JwksSource> keys, BearerOptions options);

  authn::CredentialType credential_type() const override { return authn::CredentialType::kAccessToken; }
  // Verify checks a Bearer or DPoP token (with its DPoP proof).
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;
  // Check verifies one token (benchmarks, other transports); `jkt` receives its cnf.jkt, if any.
  std::variant<authn::Principal, authn::AuthFailure> Check(std::string_view token, std::string* jkt = nullptr);
  // AddAudience accepts tokens for one more resource URI (the gateway's, once it listens).
  void AddAudience(std::string audience);

 private:
  struct Cached {
    authn::Principal principal;
    TimePoint expires;
    std::string jkt;  // cnf.jkt: the key a DPoP proof must come from.
  };
  std::shared_ptr<const jose::JwtCheck> check() const;
  std::variant<authn::Principal, authn::AuthFailure> CheckOpaque(std::string_view token, const jose::JwtCheck& check, std::string* jkt);
  void Remember(std::string_view token, Cached entry);

  std::shared_ptr<JwksSource> keys_;
  std::size_t cache_entries_;
  DpopOptions dpop_;
  bool dpop_required_;
  std::shared_ptr<const Introspector> introspector_;
  std::chrono::seconds introspection_cache_;
  mutable std::mutex mu_;
  std::shared_ptr<const jose::JwtCheck> check_;  // A snapshot per request: audiences can grow.
  std::unordered_map<std::string, Cached> cache_;
};

// TokenHolder is who a verified token speaks for, and the DPoP key it is bound to (RFC 9449
// cnf.jkt; empty: a plain bearer token).
struct TokenHolder {
  authn::Principal principal;
  std::string bound_jkt;
};

// ReadTokenHolder maps a verified token's claims (or an introspection answer) to its holder,
// with json::FieldReader: sub is required; a claim aip uses with the wrong type (a scope that is
// not a string, a roles item that is not one, cnf without jkt) refuses the token, naming it.
Result<TokenHolder> ReadTokenHolder(const json::Object& claims);

}  // namespace aip::oauth
