#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"
#include "aip/jose/jwk.h"
#include "aip/jose/jws.h"
#include "aip/jose/jwt.h"
#include "aip/testing/testing.h"

namespace aip::jose {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;
using namespace std::chrono_literals;

std::string Str(const json::Value& v, std::string_view key) { return std::string(v.as_object().at(key).as_string()); }

// Verify runs the whole path a verifier takes: parse, select the key, verify.
bool Verifies(const std::string& token, const JwkSet& keys) {
  auto jws = ParseCompactJws(token);
  if (!jws) return false;
  auto key = SelectKey(keys, *jws);
  return key.ok() && VerifyJws(*jws, **key).ok();
}

// Wycheproof's JWS and JWK files. Groups give a key set ("public", else the symmetric
// "private"); vectors of algorithms aip does not accept (RS384, PS512, ES512, ...) must fail
// here, and are counted apart.
// Vectors of json_web_signature_test.json this verifier answers differently, on purpose:
//  367, 370: byte-for-byte the token of tcId 357 (valid) in this copy of the file — the padding
//            their names describe is not there — so no verifier can accept 357 and refuse them;
//  373:      marked valid with a '?' inserted into the payload; a strict base64url decoder refuses
//            it, and so do we.
const std::set<std::int64_t> kKnownJwsDeviations = {367, 370, 373};

void RunJoseFile(const std::string& file) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/" + file));
  std::size_t count = 0, unsupported = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    const json::Object& g = group.as_object();
    const json::Value& set = g.contains("public") ? g.at("public") : g.at("private");
    json::Value keyset = set.is_object() && set.as_object().contains("keys") ? set : json::Value(json::Object{{"keys", json::Array{set}}});
    auto keys = ParseJwkSet(keyset, {.allow_symmetric = true});
    for (const auto& t : g.at("tests").as_array()) {
      ++count;
      std::string token = Str(t, "jws");
      if (file == "json_web_signature_test.json" && kKnownJwsDeviations.contains(t.at("tcId").as_int64())) {
        EXPECT_TRUE(!keys.ok() || Verifies(token, *keys) == (token.find('?') == std::string::npos));
        continue;
      }
      bool ok = keys.ok() && Verifies(token, *keys);
      std::string result = Str(t, "result");
      auto header_bytes = Base64UrlDecode(token.substr(0, token.find('.')));
      auto header = header_bytes ? json::ParseJsonObject(AsStringView(*header_bytes)) : Result<json::Object>(InvalidArgumentError("b64"));
      bool accepted_alg = header.ok() && header->contains("alg") && header->at("alg").is_string() &&
                          AlgorithmFromName(header->at("alg").get_string()).has_value();
      if (result == "valid" && !accepted_alg) {
        EXPECT_FALSE(ok) << file << " tcId " << json::Serialize(t.at("tcId"));
        ++unsupported;
        continue;
      }
      if (result == "valid") {
        EXPECT_TRUE(ok) << file << " tcId " << json::Serialize(t.at("tcId")) << " " << Str(t, "comment")
                        << (keys.ok() ? "" : " keys: " + keys.error().message);
      } else if (result == "invalid") {
        EXPECT_FALSE(ok) << file << " tcId " << json::Serialize(t.at("tcId")) << " " << Str(t, "comment");
      }
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/" + file, count);
  std::printf("[vectors] %s: %zu valid vectors use algorithms aip does not accept (refused by design)\n", file.c_str(), unsupported);
}

TEST(JoseWycheproof, JsonWebSignature) { RunJoseFile("json_web_signature_test.json"); }
TEST(JoseWycheproof, JsonWebKey) { RunJoseFile("json_web_key_test.json"); }

// An issuer of EdDSA access tokens, for the claim checks and the RFC 8725 attacks.
class JwtTest : public ::testing::Test {
 protected:
  std::string Sign(json::Object header, const json::Object& claims, const crypto::Ed25519PrivateKey* key = nullptr) {
    std::string input = Base64UrlEncode(AsBytes(json::Serialize(header))) + "." + Base64UrlEncode(AsBytes(json::Serialize(claims)));
    auto sig = (key != nullptr ? key : &issuer_)->Sign(AsBytes(input));
    return input + "." + Base64UrlEncode(sig);
  }
  std::string Token(json::Object claims_changes = {}, json::Object header_changes = {}) {
    json::Object header{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", "k1"}};
    for (auto& kv : header_changes) header[kv.key()] = kv.value();
    json::Object claims{
        {"iss", "https://as.example"}, {"aud", "https://mcp.example/mcp"}, {"sub", "user-1"}, {"exp", Now() + 300}, {"iat", Now() - 10},
        {"client_id", "agent-7"}};
    for (auto& kv : claims_changes) {
      if (kv.value().is_null()) {
        claims.erase(kv.key());
      } else {
        claims[kv.key()] = kv.value();
      }
    }
    return Sign(header, claims);
  }
  std::int64_t Now() const { return std::chrono::duration_cast<std::chrono::seconds>(DefaultClock().Now().time_since_epoch()).count(); }
  JwkSet Keys() {
    json::Object jwk{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "k1"}, {"x", Base64UrlEncode(issuer_.public_key().bytes())}};
    return ParseJwkSet(json::Object{{"keys", json::Array{jwk}}}).value();
  }
  Result<VerifiedJwt> Check(const std::string& token) { return VerifyJwt(token, Keys(), check_); }

  crypto::Ed25519PrivateKey issuer_ = crypto::Ed25519PrivateKey::Generate();
  JwtCheck check_{"https://as.example", {"https://mcp.example/mcp"}};
};

TEST_F(JwtTest, AcceptsAGoodAccessToken) {
  auto v = Check(Token());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->claims.at("sub"), "user-1");
  EXPECT_EQ(v->alg, Algorithm::kEdDSA);
  EXPECT_THAT(Check(Token({{"aud", json::Array{"other", "https://mcp.example/mcp"}}})), IsOk());
}

TEST_F(JwtTest, RefusesWrongClaims) {
  EXPECT_THAT(Check(Token({{"iss", "https://evil.example"}})), StatusIs(ErrorCode::kUnauthenticated, "issuer"));
  EXPECT_THAT(Check(Token({{"iss", "https://as.example/"}})), StatusIs(ErrorCode::kUnauthenticated, "issuer"));
  EXPECT_THAT(Check(Token({{"aud", "https://other.example/mcp"}})), StatusIs(ErrorCode::kUnauthenticated, "aud"));
  EXPECT_THAT(Check(Token({{"aud", nullptr}})), StatusIs(ErrorCode::kUnauthenticated, "aud"));
  EXPECT_THAT(Check(Token({{"exp", Now() - 120}})), StatusIs(ErrorCode::kUnauthenticated, "expired"));
  EXPECT_THAT(Check(Token({{"exp", Now() - 30}})), IsOk());  // Within the leeway.
  EXPECT_THAT(Check(Token({{"exp", nullptr}})), StatusIs(ErrorCode::kUnauthenticated, "exp"));
  EXPECT_THAT(Check(Token({{"exp", "tomorrow"}})), StatusIs(ErrorCode::kUnauthenticated, "NumericDate"));
  EXPECT_THAT(Check(Token({{"nbf", Now() + 600}})), StatusIs(ErrorCode::kUnauthenticated, "nbf"));
  EXPECT_THAT(Check(Token({{"iat", Now() + 600}})), StatusIs(ErrorCode::kUnauthenticated, "iat"));
  EXPECT_THAT(Check(Token({}, {{"typ", "JWT"}})), StatusIs(ErrorCode::kUnauthenticated, "typ"));
  EXPECT_THAT(Check(Token({}, {{"typ", "application/at+jwt"}})), IsOk());
  check_.require_at_jwt = false;
  EXPECT_THAT(Check(Token({}, {{"typ", "JWT"}})), IsOk());
  EXPECT_THAT(Check(Token({}, {{"typ", "dpop+jwt"}})), StatusIs(ErrorCode::kUnauthenticated, "typ"));
}

TEST_F(JwtTest, RefusesTheRfc8725Attacks) {
  // alg "none", with and without a signature.
  std::string none = Base64UrlEncode(AsBytes(R"({"alg":"none","typ":"at+jwt"})")) + "." +
                     Token().substr(Token().find('.') + 1, Token().rfind('.') - Token().find('.') - 1) + ".";
  EXPECT_THAT(Check(none), StatusIs(ErrorCode::kUnauthenticated, "not accepted"));
  // HS256 with the public key as the secret (algorithm confusion): the key allows only EdDSA.
  check_.algorithms.insert(Algorithm::kHS256);
  json::Object header{{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", "k1"}};
  json::Object claims{{"iss", "https://as.example"}, {"aud", "https://mcp.example/mcp"}, {"exp", Now() + 300}};
  std::string input = Base64UrlEncode(AsBytes(json::Serialize(header))) + "." + Base64UrlEncode(AsBytes(json::Serialize(claims)));
  auto mac = crypto::HmacSha256(issuer_.public_key().bytes(), AsBytes(input));
  EXPECT_THAT(Check(input + "." + Base64UrlEncode(mac)), StatusIs(ErrorCode::kUnauthenticated, "signature"));
  // A key carried by the token (jwk / jku / x5u) is never used.
  auto attacker = crypto::Ed25519PrivateKey::Generate();
  json::Object evil_header{
      {"alg", "EdDSA"},
      {"typ", "at+jwt"},
      {"kid", "k1"},
      {"jku", "https://evil.example/jwks"},
      {"x5u", "https://evil.example/cert"},
      {"jwk", json::Object{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(attacker.public_key().bytes())}}}};
  EXPECT_THAT(Check(Sign(evil_header, claims, &attacker)), StatusIs(ErrorCode::kUnauthenticated, "signature"));
  // kid injection finds nothing (and never a file or a query).
  EXPECT_THAT(Check(Token({}, {{"kid", "../../../../dev/null"}})), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(Check(Token({}, {{"kid", "' OR 1=1 --"}})), StatusIs(ErrorCode::kNotFound));
  // An algorithm the verifier does not take, even if the key would.
  check_.algorithms = {Algorithm::kRS256};
  EXPECT_THAT(Check(Token()), StatusIs(ErrorCode::kUnauthenticated, "not accepted here"));
}

TEST_F(JwtTest, RefusesMalformedTokens) {
  std::string t = Token();
  for (const std::string& bad : std::vector<std::string>{"", "a.b", t + ".x", t.substr(0, t.rfind('.')) + ".!!",
                                                         "e30." + t.substr(t.find('.') + 1), std::string(20000, 'a')}) {
    EXPECT_FALSE(Check(bad).ok()) << bad.substr(0, 60);
  }
  EXPECT_THAT(Check(Token({}, {{"crit", json::Array{"exp"}}})), StatusIs(ErrorCode::kUnauthenticated, "crit"));
}

TEST(JwkTest, RefusesRocaModuli) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/json_web_key_test.json"));
  for (const auto& group : doc.at("testGroups").as_array()) {
    if (Str(group, "comment") != "jws_rsa_roca_key") continue;
    auto k = ParseJwk(group.at("public").at("keys").as_array()[0].as_object());
    EXPECT_THAT(k, StatusIs(ErrorCode::kInvalidArgument, "ROCA"));
    return;
  }
  FAIL() << "no ROCA group";
}

TEST(JwkTest, BindsAlgorithmsToKeys) {
  auto ed = crypto::Ed25519PrivateKey::Generate();
  json::Object okp{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(ed.public_key().bytes())}};
  auto k = ParseJwk(okp);
  ASSERT_THAT(k, IsOk());
  EXPECT_TRUE(k->Allows(Algorithm::kEdDSA));
  EXPECT_FALSE(k->Allows(Algorithm::kHS256));
  okp["alg"] = "ES256";
  EXPECT_FALSE(ParseJwk(okp).ok());
  okp["alg"] = "none";
  EXPECT_FALSE(ParseJwk(okp).ok());
  okp.erase("alg");
  okp["d"] = "AAAA";
  EXPECT_FALSE(ParseJwk(okp).ok());  // A published private key.
  json::Object oct{{"kty", "oct"}, {"k", Base64UrlEncode(Bytes(32, 9))}};
  EXPECT_FALSE(ParseJwk(oct).ok());  // Symmetric keys only when configured locally.
  EXPECT_THAT(ParseJwk(oct, {.allow_symmetric = true}), IsOk());
  oct["k"] = Base64UrlEncode(Bytes(31, 9));
  EXPECT_FALSE(ParseJwk(oct, {.allow_symmetric = true}).ok());
}

}  // namespace
}  // namespace aip::jose
