// JWT access-token verification, cached (a token seen before) and uncached: parse, select the key, Ed25519 verify, claim checks —
// against one raw libsodium Ed25519 verify of the same signing input (target ≤ 1.2×).
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "aip/base/encoding.h"
#include "aip/jose/jwt.h"
#include "aip/oauth/bearer_authenticator.h"

namespace {

struct Fixture {
  aip::crypto::Ed25519PrivateKey key = aip::crypto::Ed25519PrivateKey::Generate();
  aip::jose::JwkSet keys;
  std::string token, input;
  aip::Bytes signature;
  Fixture() {
    aip::json::Object jwk{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "k1"}, {"x", aip::Base64UrlEncode(key.public_key().bytes())}};
    keys = aip::jose::ParseJwkSet(aip::json::Object{{"keys", aip::json::Array{jwk}}}).value();
    auto now = std::chrono::duration_cast<std::chrono::seconds>(aip::DefaultClock().Now().time_since_epoch()).count();
    aip::json::Object header{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", "k1"}};
    aip::json::Object claims{{"iss", "https://as.example"},
                             {"aud", "https://mcp.example/mcp"},
                             {"sub", "user-1"},
                             {"client_id", "agent-7"},
                             {"scope", "tasks:read tasks:write"},
                             {"exp", now + 3600},
                             {"iat", now},
                             {"jti", "b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}};
    input = aip::Base64UrlEncode(aip::AsBytes(aip::json::Serialize(header))) + "." +
            aip::Base64UrlEncode(aip::AsBytes(aip::json::Serialize(claims)));
    auto sig = key.Sign(aip::AsBytes(input));
    signature.assign(sig.begin(), sig.end());
    token = input + "." + aip::Base64UrlEncode(signature);
  }
};

const Fixture& F() {
  static const Fixture f;
  return f;
}

void BM_JwtVerifyEdDSAUncached(benchmark::State& state) {
  const Fixture& f = F();
  aip::jose::JwtCheck check{"https://as.example", {"https://mcp.example/mcp"}};
  for (auto _ : state) {
    auto v = aip::jose::VerifyJwt(f.token, f.keys, check);
    if (!v.ok()) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_JwtVerifyEdDSAUncached);

void BM_RawEd25519VerifyJwtInput(benchmark::State& state) {
  const Fixture& f = F();
  for (auto _ : state) {
    int rc = crypto_sign_verify_detached(f.signature.data(), reinterpret_cast<const unsigned char*>(f.input.data()), f.input.size(),
                                         f.key.public_key().bytes().data());
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_RawEd25519VerifyJwtInput);

// A token seen before: the gateway's bearer authenticator answers from its cache (target ≤ 3 µs).
void BM_BearerTokenCached(benchmark::State& state) {
  const Fixture& f = F();
  aip::oauth::BearerOptions o;
  o.check = aip::jose::JwtCheck{"https://as.example", {"https://mcp.example/mcp"}};
  aip::oauth::BearerAuthenticator auth(aip::oauth::JwksSource::Fixed(f.keys), o);
  if (std::holds_alternative<aip::authn::AuthFailure>(auth.Check(f.token))) state.SkipWithError("token refused");
  for (auto _ : state) {
    auto p = auth.Check(f.token);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_BearerTokenCached);

}  // namespace
