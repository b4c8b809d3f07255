#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/jose/jwk.h"
#include "aip/oauth/bearer_authenticator.h"
#include "aip/oauth/dpop.h"
#include "aip/testing/testing.h"

namespace aip::oauth {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;
using namespace std::chrono_literals;

std::int64_t Now() { return std::chrono::duration_cast<std::chrono::seconds>(DefaultClock().Now().time_since_epoch()).count(); }

std::string SignJwt(const json::Object& header, const json::Object& claims, const crypto::Ed25519PrivateKey& key) {
  std::string input = Base64UrlEncode(AsBytes(json::Serialize(header))) + "." + Base64UrlEncode(AsBytes(json::Serialize(claims)));
  return input + "." + Base64UrlEncode(key.Sign(AsBytes(input)));
}

json::Object PublicJwk(const crypto::Ed25519PrivateKey& key) {
  return json::Object{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(key.public_key().bytes())}};
}

TEST(JwkThumbprint, MatchesTheRfcExamples) {
  json::Value v = ReadJson(SharedTestdata("rfc/vectors.json"));
  const json::Object& a4 = v.at("rfc8037_a4_jws_eddsa").as_object();
  EXPECT_EQ(jose::JwkThumbprint(a4.at("jwk").as_object()).value(), a4.at("thumbprint_rfc7638").as_string());
  const json::Object& b26 = v.at("rfc9421_b26_ed25519").as_object();
  json::Object jwk{
      {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(aip::testing::Hex(std::string(b26.at("public_hex").as_string())))}};
  EXPECT_EQ(jose::JwkThumbprint(jwk).value(), b26.at("jwk_thumbprint_rfc7638").as_string());
}

// A client holding a DPoP key, and an issuer binding tokens to it.
class DpopTest : public ::testing::Test {
 protected:
  std::string Proof(json::Object claim_changes = {}, json::Object header_changes = {}, const crypto::Ed25519PrivateKey* signer = nullptr) {
    json::Object header{{"typ", "dpop+jwt"}, {"alg", "EdDSA"}, {"jwk", PublicJwk(client_)}};
    for (auto& kv : header_changes) header[kv.key()] = kv.value();
    json::Object claims{{"jti", crypto::RandomId(12)},
                        {"htm", "POST"},
                        {"htu", "http://127.0.0.1:8080/mcp"},
                        {"iat", Now()},
                        {"ath", Base64UrlEncode(crypto::Sha256(AsBytes(token_)))}};
    for (auto& kv : claim_changes) claims[kv.key()] = kv.value();
    return SignJwt(header, claims, signer != nullptr ? *signer : client_);
  }
  Result<std::string> Verify(const std::string& proof, std::string_view uri = "http://127.0.0.1:8080/mcp") {
    return VerifyDpopProof(proof, "POST", uri, token_, options_);
  }

  crypto::Ed25519PrivateKey client_ = crypto::Ed25519PrivateKey::Generate();
  std::string token_ = "an-access-token";
  DpopOptions options_ = [] {
    DpopOptions o;
    o.replay = std::make_shared<authn::InMemoryReplayCache>();
    return o;
  }();
};

TEST_F(DpopTest, AcceptsAFreshProofAndReturnsTheKeysThumbprint) {
  auto jkt = Verify(Proof());
  ASSERT_THAT(jkt, IsOk());
  EXPECT_EQ(*jkt, jose::JwkThumbprint(PublicJwk(client_)).value());
  // The URI compares without its query, with the host's case and the default port ignored.
  EXPECT_THAT(Verify(Proof(), "http://127.0.0.1:8080/mcp?x=1"), IsOk());
  EXPECT_THAT(Verify(Proof({{"htu", "http://127.0.0.1:80/mcp"}}), "HTTP://127.0.0.1/mcp"), IsOk());
}

TEST_F(DpopTest, RefusesEveryMismatch) {
  auto other = crypto::Ed25519PrivateKey::Generate();
  EXPECT_THAT(Verify(Proof({{"htm", "GET"}})), StatusIs(ErrorCode::kUnauthenticated, "htm"));
  EXPECT_THAT(Verify(Proof({{"htu", "http://127.0.0.1:8080/other"}})), StatusIs(ErrorCode::kUnauthenticated, "htu"));
  EXPECT_THAT(Verify(Proof({{"htu", "https://127.0.0.1:8080/mcp"}})), StatusIs(ErrorCode::kUnauthenticated, "htu"));
  EXPECT_THAT(Verify(Proof({{"iat", Now() - 600}})), StatusIs(ErrorCode::kUnauthenticated, "iat"));
  EXPECT_THAT(Verify(Proof({{"iat", Now() + 600}})), StatusIs(ErrorCode::kUnauthenticated, "iat"));
  EXPECT_THAT(Verify(Proof({{"iat", "now"}})), StatusIs(ErrorCode::kUnauthenticated, "iat"));
  EXPECT_THAT(Verify(Proof({{"ath", Base64UrlEncode(crypto::Sha256(AsBytes("another-token")))}})),
              StatusIs(ErrorCode::kUnauthenticated, "ath"));
  EXPECT_THAT(Verify(Proof({{"jti", ""}})), StatusIs(ErrorCode::kUnauthenticated, "jti"));
  EXPECT_THAT(Verify(Proof({}, {{"typ", "JWT"}})), StatusIs(ErrorCode::kUnauthenticated, "typ"));
  EXPECT_THAT(Verify(Proof({}, {}, &other)), StatusIs(ErrorCode::kUnauthenticated, "signature"));
  json::Object with_private = PublicJwk(client_);
  with_private["d"] = Base64UrlEncode(Bytes(32, 1));
  EXPECT_THAT(Verify(Proof({}, {{"jwk", with_private}})), StatusIs(ErrorCode::kUnauthenticated, "private"));
  std::string once = Proof();
  EXPECT_THAT(Verify(once), IsOk());
  EXPECT_THAT(Verify(once), StatusIs(ErrorCode::kUnauthenticated, "replay"));
  // An HMAC "proof" carries no public key: refused before anything else.
  json::Object hs{{"typ", "dpop+jwt"}, {"alg", "HS256"}};
  std::string input = Base64UrlEncode(AsBytes(json::Serialize(hs))) + "." + Base64UrlEncode(AsBytes("{}"));
  EXPECT_THAT(Verify(input + "." + Base64UrlEncode(crypto::HmacSha256(AsBytes("k"), AsBytes(input)))),
              StatusIs(ErrorCode::kUnauthenticated, "not accepted"));
}

TEST_F(DpopTest, AServerNonceMustBeCurrent) {
  aip::testing::ManualClock clock;
  clock.now = DefaultClock().Now();
  auto nonces = std::make_shared<DpopNonces>(std::chrono::seconds(300), &clock);
  options_.nonces = nonces;
  EXPECT_THAT(Verify(Proof()), StatusIs(ErrorCode::kFailedPrecondition, "nonce"));
  std::string nonce = nonces->Current();
  EXPECT_THAT(Verify(Proof({{"nonce", nonce}})), IsOk());
  EXPECT_THAT(Verify(Proof({{"nonce", nonce + "x"}})), StatusIs(ErrorCode::kFailedPrecondition, "nonce"));
  EXPECT_FALSE(DpopNonces().Valid(nonce));  // Another server's key.
  clock.now += std::chrono::seconds(300);
  EXPECT_TRUE(nonces->Valid(nonce));  // The next window still takes it...
  clock.now += std::chrono::seconds(300);
  EXPECT_FALSE(nonces->Valid(nonce));  // ...not the one after.
  EXPECT_NE(nonces->Current(), nonce);
}

// Instances given one secret accept each other's nonces; another secret, or a short one, does not.
TEST(DpopNoncesTest, ASharedSecretMakesNoncesGoodOnEveryInstance) {
  std::string secret(40, 's'), other(40, 'o');
  auto a = DpopNonces::Shared(AsBytes(secret)), b = DpopNonces::Shared(AsBytes(secret)), c = DpopNonces::Shared(AsBytes(other));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE((*b)->Valid((*a)->Current()));
  EXPECT_TRUE((*a)->Valid((*b)->Current()));
  EXPECT_FALSE((*c)->Valid((*a)->Current()));
  EXPECT_FALSE(DpopNonces().Valid((*a)->Current()));
  EXPECT_THAT(DpopNonces::Shared(AsBytes(std::string(31, 's'))).status(), StatusIs(ErrorCode::kInvalidArgument, "32 bytes"));
}

// The bearer authenticator with bound and unbound tokens, over HTTP headers.
class BoundTokenTest : public DpopTest {
 protected:
  void SetUp() override {
    json::Object jwk = PublicJwk(issuer_);
    jwk["kid"] = "k1";
    BearerOptions o;
    o.check = jose::JwtCheck{"https://as.example", {"http://127.0.0.1:8080/mcp"}};
    o.dpop.replay = std::make_shared<authn::InMemoryReplayCache>();
    auth_ = std::make_shared<BearerAuthenticator>(JwksSource::Fixed(jose::ParseJwkSet(json::Object{{"keys", json::Array{jwk}}}).value()),
                                                  std::move(o));
  }
  std::string Token(bool bound) {
    json::Object claims{{"iss", "https://as.example"}, {"aud", "http://127.0.0.1:8080/mcp"}, {"sub", "alice"}, {"exp", Now() + 300}};
    if (bound) claims["cnf"] = json::Object{{"jkt", jose::JwkThumbprint(PublicJwk(client_)).value()}};
    return SignJwt(json::Object{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", "k1"}}, claims, issuer_);
  }
  std::string Run(std::vector<std::pair<std::string, std::string>> fields) {
    net::Headers h;
    for (auto& [n, v] : fields) h.Add(n, v);
    authn::HttpInfo info{"POST", "http://127.0.0.1:8080/mcp", &h, "", "127.0.0.1"};
    auto out = auth_->Authenticate(json::Object{}, &info);
    if (auto* f = std::get_if<authn::AuthFailure>(&out)) return f->reason + ": " + f->message;
    const auto& p = std::get<std::optional<authn::Principal>>(out);
    return p ? "ok " + p->subject + (p->attributes.count("dpop_jkt") ? " dpop" : "") : "none";
  }

  crypto::Ed25519PrivateKey issuer_ = crypto::Ed25519PrivateKey::Generate();
  std::shared_ptr<BearerAuthenticator> auth_;
};

TEST_F(BoundTokenTest, ABoundTokenNeedsItsProof) {
  token_ = Token(true);
  EXPECT_EQ(Run({{"authorization", "DPoP " + token_}, {"dpop", Proof()}}), "ok alice dpop");
  EXPECT_THAT(Run({{"authorization", "Bearer " + token_}}), ::testing::HasSubstr("DPoP-bound"));
  EXPECT_THAT(Run({{"authorization", "DPoP " + token_}}), ::testing::HasSubstr("exactly one DPoP header"));
  EXPECT_THAT(Run({{"authorization", "DPoP " + token_}, {"dpop", Proof()}, {"dpop", Proof()}}),
              ::testing::HasSubstr("exactly one DPoP header"));
  auto thief = crypto::Ed25519PrivateKey::Generate();  // A stolen token, the thief's own key.
  json::Object header{{"typ", "dpop+jwt"}, {"alg", "EdDSA"}, {"jwk", PublicJwk(thief)}};
  json::Object claims{{"jti", "t1"},
                      {"htm", "POST"},
                      {"htu", "http://127.0.0.1:8080/mcp"},
                      {"iat", Now()},
                      {"ath", Base64UrlEncode(crypto::Sha256(AsBytes(token_)))}};
  EXPECT_THAT(Run({{"authorization", "DPoP " + token_}, {"dpop", SignJwt(header, claims, thief)}}),
              ::testing::HasSubstr("not the one the token is bound to"));
}

TEST_F(BoundTokenTest, AnUnboundTokenIsABearerToken) {
  token_ = Token(false);
  EXPECT_EQ(Run({{"authorization", "Bearer " + token_}}), "ok alice");
  EXPECT_THAT(Run({{"authorization", "DPoP " + token_}, {"dpop", Proof()}}), ::testing::HasSubstr("DPoP-bound token"));
  EXPECT_EQ(Run({{"authorization", "Basic dXNlcjpwYXNz"}}), "none");
}

}  // namespace
}  // namespace aip::oauth

namespace aip::oauth {
namespace {

json::Object Claims(std::string_view text) { return *json::ParseJsonObject(text); }

TEST(ReadTokenHolder, MapsClaimsToThePrincipalAndItsBinding) {
  auto h = ReadTokenHolder(Claims(R"({"sub":"alice","iss":"https://as","azp":"cli","scope":"read  write","roles":["admin"],
      "act":{"sub":"agent-1","act":{"sub":"agent-0"}},"cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})"));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->principal.subject, "alice");
  EXPECT_EQ(h->principal.client_id, "cli");
  EXPECT_EQ(h->principal.scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(h->principal.roles, (std::vector<std::string>{"admin"}));
  EXPECT_EQ(h->principal.actor_chain, (std::vector<std::string>{"agent-1", "agent-0"}));
  EXPECT_EQ(h->principal.attributes.at("issuer"), "https://as");
  EXPECT_EQ(h->bound_jkt, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
  auto scp = ReadTokenHolder(Claims(R"({"sub":"bob","scp":["a","b"]})"));
  ASSERT_TRUE(scp.ok());
  EXPECT_EQ(scp->principal.scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(scp->bound_jkt, "");
}

TEST(ReadTokenHolder, AClaimOfTheWrongShapeRefusesTheTokenInsteadOfBeingSkipped) {
  // Skipped, a cnf of the wrong type would turn a DPoP-bound token into a bearer token anyone
  // holding it could use.
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","cnf":"jkt"})")), StatusIs(ErrorCode::kInvalidArgument, "/cnf: must be an object"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","cnf":{}})")), StatusIs(ErrorCode::kInvalidArgument, "/cnf/jkt: is required"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","cnf":{"jkt":""}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/cnf/jkt: must not be empty"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"scope":"read"})")), StatusIs(ErrorCode::kInvalidArgument, "/sub: is required"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":""})")), StatusIs(ErrorCode::kInvalidArgument, "/sub: must not be empty"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","scope":["read"]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/scope: must be a string"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","roles":["x",1]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/roles/1: must be a string"));
  EXPECT_THAT(ReadTokenHolder(Claims(R"({"sub":"a","act":{"sub":5}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/act/sub: must be a string"));
  std::string nested = R"({"sub":"a")";
  std::string close;
  for (int i = 0; i < 9; ++i) {
    nested += R"(,"act":{"sub":"x")";
    close += "}";
  }
  EXPECT_THAT(ReadTokenHolder(Claims(nested + close + "}")),
              StatusIs(ErrorCode::kInvalidArgument, "/act/act/act/act/act/act/act/act/act: nests more than 8 actors"));
}

}  // namespace
}  // namespace aip::oauth
