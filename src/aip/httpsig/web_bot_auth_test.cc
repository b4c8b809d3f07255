// Web Bot Auth against the drafts' own vectors (tests/testdata/web-bot-auth, from the
// cloudflare/web-bot-auth repository; see its README): the signature bases are byte for byte the
// ones the vectors were signed over, our signer reproduces their signatures exactly (Ed25519 is
// deterministic), and a verifier refuses what it must.
#include "aip/httpsig/web_bot_auth.h"

#include <gtest/gtest.h>

#include "aip/base/ascii.h"
#include "aip/base/encoding.h"
#include "aip/base/json.h"
#include "aip/testing/testing.h"

namespace aip::httpsig {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::ProjectTestdata;
using ::aip::testing::ReadText;
using ::aip::testing::StatusIs;

// The drafts' vectors, copied into the project with their source (tests/testdata/web-bot-auth/README.md).
json::Value Vectors(std::string_view file) {
  return *json::ParseJson(ReadText(ProjectTestdata(std::string("web-bot-auth/") + std::string(file))));
}

crypto::Ed25519PrivateKey KeyOf(const json::Object& jwk) {
  return crypto::Ed25519PrivateKey::FromSeed(*Base64UrlDecode(jwk.at("d").as_string())).value();
}

// A fixed clock at the vectors' `created`.
class FixedClock : public Clock {
 public:
  explicit FixedClock(std::int64_t seconds) : now_(std::chrono::seconds(seconds)) {}
  TimePoint Now() const override { return now_; }

 private:
  TimePoint now_;
};

SignBase SignWith(const crypto::Ed25519PrivateKey& key) {
  return [&key](ByteSpan base) -> Result<crypto::Ed25519Signature> { return key.Sign(base); };
}

TEST(WebBotAuthTest, ThumbprintIsTheVectorsKeyid) {
  json::Value vectors = Vectors("architecture-ed25519.json");
  for (const auto& v : vectors.as_array()) {
    auto key = KeyOf(v.at("key").as_object());
    std::string input = std::string(v.at("signature_input").as_string());
    EXPECT_NE(input.find("keyid=\"" + Ed25519Thumbprint(key.public_key()) + "\""), std::string::npos) << input;
  }
}

TEST(WebBotAuthTest, SignerReproducesTheVectorsByteForByte) {
  json::Value vectors = Vectors("architecture-ed25519.json");
  for (const auto& v : vectors.as_array()) {
    const json::Object& o = v.as_object();
    auto key = KeyOf(o.at("key").as_object());
    net::Headers h;
    WebBotAuthSignOptions so;
    so.label = std::string(o.at("label").as_string());
    so.created = o.at("created_ms").as_int64() / 1000;
    so.expires = o.at("expires_ms").as_int64() / 1000;
    so.nonce = std::string(o.at("nonce").as_string());
    if (o.contains("signature_agent")) {
      so.agent_member = std::string(o.at("signature_agent_key").as_string());
      so.signature_agent = "https://signature-agent.test";
    }
    ASSERT_THAT(SignWebBotAuth(std::string(o.at("target_url").as_string()), h, key.public_key(), SignWith(key), so), IsOk());
    EXPECT_EQ(*h.Get("signature-input"), o.at("signature_input").as_string());
    EXPECT_EQ(*h.Get("signature"), o.at("signature").as_string());
    if (o.contains("signature_agent")) {
      EXPECT_EQ(*h.Get("signature-agent"), o.at("signature_agent").as_string());
    }
  }
  ::aip::testing::ReportVectors("web-bot-auth/architecture-ed25519.json", vectors.as_array().size());
}

TEST(WebBotAuthTest, VerifiesTheVectorsAndNamesTheAgent) {
  json::Value vectors = Vectors("architecture-ed25519.json");
  for (const auto& v : vectors.as_array()) {
    const json::Object& o = v.as_object();
    auto key = KeyOf(o.at("key").as_object());
    net::Headers h;
    h.Set("signature-input", std::string(o.at("signature_input").as_string()));
    h.Set("signature", std::string(o.at("signature").as_string()));
    if (o.contains("signature_agent")) h.Set("signature-agent", std::string(o.at("signature_agent").as_string()));
    FixedClock clock(o.at("created_ms").as_int64() / 1000);
    WebBotAuthVerifyOptions vo;
    vo.clock = &clock;
    vo.max_lifetime = std::chrono::hours(24 * 365 * 101);  // The vectors' own expiry: a century.
    std::string asked_agent;
    vo.key_for = [&](std::string_view keyid, std::string_view agent) -> Result<crypto::Ed25519PublicKey> {
      asked_agent = std::string(agent);
      if (keyid != Ed25519Thumbprint(key.public_key())) return UnauthenticatedError("keyid not in the directory");
      return key.public_key();
    };
    HttpMessage m{"GET", std::string(o.at("target_url").as_string()), &h};
    auto bot = VerifyWebBotAuth(m, "", vo);
    ASSERT_THAT(bot, IsOk()) << o.at("label").as_string();
    EXPECT_EQ(bot->keyid, Ed25519Thumbprint(key.public_key()));
    EXPECT_EQ(bot->agent, o.contains("signature_agent") ? "https://signature-agent.test" : "");
    EXPECT_EQ(asked_agent, bot->agent);

    // Refusals: another authority, the default century-long lifetime, a changed agent, no nonce.
    HttpMessage elsewhere{"GET", "https://other.example/path/to/resource", &h};
    EXPECT_THAT(VerifyWebBotAuth(elsewhere, "", vo), StatusIs(ErrorCode::kUnauthenticated));
    WebBotAuthVerifyOptions strict = vo;
    strict.max_lifetime = std::chrono::seconds(300);
    EXPECT_THAT(VerifyWebBotAuth(m, "", strict), StatusIs(ErrorCode::kUnauthenticated, "lifetime too long"));
    if (o.contains("signature_agent")) {
      net::Headers moved = h;
      moved.Set("signature-agent", "agent2=\"https://evil.test\"");
      HttpMessage m2{"GET", m.target_uri, &moved};
      EXPECT_THAT(VerifyWebBotAuth(m2, "", vo), StatusIs(ErrorCode::kUnauthenticated));
    } else {
      net::Headers added = h;
      added.Set("signature-agent", "agent1=\"https://signature-agent.test\"");
      HttpMessage m3{"GET", m.target_uri, &added};
      EXPECT_THAT(VerifyWebBotAuth(m3, "", vo), StatusIs(ErrorCode::kUnauthenticated, "not covered"));
    }
  }
}

TEST(WebBotAuthTest, RefusesAnUnknownKeyidAndAMissingNonce) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  FixedClock clock(1'800'000'000);
  net::Headers h;
  WebBotAuthSignOptions so;
  so.clock = &clock;
  so.signature_agent = "https://bot.example";
  ASSERT_THAT(SignWebBotAuth("https://api.example/mcp", h, key.public_key(), SignWith(key), so), IsOk());
  WebBotAuthVerifyOptions vo;
  vo.clock = &clock;
  vo.key_for = [](std::string_view, std::string_view) -> Result<crypto::Ed25519PublicKey> {
    return UnauthenticatedError("keyid not in the directory");
  };
  HttpMessage m{"POST", "https://api.example/mcp", &h};
  EXPECT_THAT(VerifyWebBotAuth(m, "", vo), StatusIs(ErrorCode::kUnauthenticated, "keyid not in the directory"));
  net::Headers no_nonce = h;
  std::string input(*h.Get("signature-input"));
  std::size_t at = input.find(";nonce=");
  no_nonce.Set("signature-input", input.substr(0, at) + input.substr(input.find(';', at + 1)));
  HttpMessage m2{"POST", m.target_uri, &no_nonce};
  EXPECT_THAT(VerifyWebBotAuth(m2, "", vo), StatusIs(ErrorCode::kUnauthenticated, "nonce is required"));
}

// The directory response: its signature base (`"@authority";req` from the request, and
// content-digest) is byte for byte the vector's, and it verifies.
TEST(WebBotAuthTest, DirectoryResponseSignatureBaseAndKeys) {
  json::Value vectors = Vectors("directory-response.json");
  const json::Object& v = vectors.as_array()[0].as_object();
  const json::Object& req = v.at("request").as_object();
  const json::Object& resp = v.at("response").as_object();
  net::Headers request_headers, response_headers;
  for (const auto& kv : req.at("headers").as_object()) request_headers.Set(std::string(kv.key()), std::string(kv.value().as_string()));
  for (const auto& kv : resp.at("headers").as_object()) {
    response_headers.Set(AsciiLower(std::string_view(kv.key())), std::string(kv.value().as_string()));
  }
  HttpMessage request{std::string(req.at("method").as_string()), std::string(req.at("target_url").as_string()), &request_headers};
  HttpMessage response{"", "", &response_headers, &request};
  auto inputs = ParseDictionary(*response_headers.Get("signature-input"));
  ASSERT_THAT(inputs, IsOk());
  auto base = SignatureBase(response, std::get<InnerList>((*inputs)[0].second));
  ASSERT_THAT(base, IsOk());
  EXPECT_EQ(*base, v.at("signature_base").as_string());
  ::aip::testing::ReportVectors("web-bot-auth/directory-response.json", 1);

  std::string body(resp.at("body").as_string());
  auto keys = DirectoryKeys(body);
  ASSERT_THAT(keys, IsOk());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->begin()->first, v.at("public_key").at("kid").as_string());
  VerifyOptions vo;
  FixedClock clock(1735689600);
  vo.clock = &clock;
  vo.max_lifetime = std::chrono::hours(24 * 365 * 101);
  vo.required_components = {"content-digest"};
  vo.tag = std::string(kDirectoryTag);
  vo.key_for = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> { return keys->at(std::string(keyid)); };
  EXPECT_THAT(VerifyRequest(response, body, vo), IsOk());
  EXPECT_THAT(VerifyRequest(response, body + " ", vo), StatusIs(ErrorCode::kUnauthenticated, "digest mismatch"));
  HttpMessage no_request{"", "", &response_headers};
  EXPECT_THAT(VerifyRequest(no_request, body, vo), StatusIs(ErrorCode::kInvalidArgument, ";req"));
}

// Our directory for the vectors' key, at their instants, is the vector's response byte for byte:
// body, Content-Digest, Signature-Input and Signature.
TEST(WebBotAuthTest, MakeDirectoryReproducesTheDirectoryVector) {
  json::Value vectors = Vectors("directory-response.json");
  const json::Object& v = vectors.as_array()[0].as_object();
  json::Value arch = Vectors("architecture-ed25519.json");
  auto key = KeyOf(arch.as_array()[0].at("key").as_object());
  auto d =
      MakeDirectory("signature-agent.test", key.public_key(), SignWith(key), 1735689600, std::chrono::seconds(4889289600 - 1735689600));
  ASSERT_THAT(d, IsOk());
  const json::Object& resp = v.at("response").as_object();
  EXPECT_EQ(d->body, resp.at("body").as_string());
  const json::Object& h = resp.at("headers").as_object();
  EXPECT_EQ(*d->headers.Get("content-digest"), h.at("content-digest").as_string());
  EXPECT_EQ(*d->headers.Get("signature-input"), h.at("Signature-Input").as_string());
  EXPECT_EQ(*d->headers.Get("signature"), h.at("Signature").as_string());
  EXPECT_EQ(*d->headers.Get("content-type"), h.at("content-type").as_string());
  for (const std::string& bad :
       std::vector<std::string>{"bot.example/x", "bot.example\r\nx-injected: 1", "", "user@bot.example", std::string(256, 'a')}) {
    EXPECT_THAT(MakeDirectory(bad, key.public_key(), SignWith(key), 1, std::chrono::seconds(60)), StatusIs(ErrorCode::kInvalidArgument))
        << bad;
  }
}

// A fetched directory is accepted only when it is signed, for the authority it came from, by a key
// it lists, over the body received, within its lifetime.
TEST(WebBotAuthTest, VerifyDirectoryRefusesWhatItMust) {
  json::Value vectors = Vectors("directory-response.json");
  const json::Object& resp = vectors.as_array()[0].at("response").as_object();
  net::Headers h;
  for (const auto& kv : resp.at("headers").as_object()) h.Set(AsciiLower(std::string_view(kv.key())), std::string(kv.value().as_string()));
  std::string body(resp.at("body").as_string());
  FixedClock clock(1735689600);
  DirectoryVerifyOptions o;
  o.clock = &clock;
  o.max_lifetime = std::chrono::hours(24 * 365 * 101);
  auto keys = VerifyDirectory("signature-agent.test", h, body, o);
  ASSERT_THAT(keys, IsOk());
  EXPECT_EQ(keys->keys.size(), 1u);
  EXPECT_GT(keys->expires, clock.Now());
  EXPECT_THAT(VerifyDirectory("evil.test", h, body, o), StatusIs(ErrorCode::kUnauthenticated, "key directory of evil.test"));
  std::string tampered = body;
  tampered.replace(tampered.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
  EXPECT_THAT(VerifyDirectory("signature-agent.test", h, tampered, o), StatusIs(ErrorCode::kUnauthenticated, "digest mismatch"));
  DirectoryVerifyOptions strict = o;
  strict.max_lifetime = std::chrono::hours(24 * 90);
  EXPECT_THAT(VerifyDirectory("signature-agent.test", h, body, strict), StatusIs(ErrorCode::kUnauthenticated, "lifetime too long"));
  // Signed by a key the directory does not list (a directory made for another key, its body swapped in).
  auto other = crypto::Ed25519PrivateKey::Generate();
  auto made = MakeDirectory("signature-agent.test", other.public_key(), SignWith(other), 1735689600, std::chrono::seconds(3600));
  ASSERT_THAT(made, IsOk());
  net::Headers swapped = made->headers;
  swapped.Set("content-digest", ContentDigest(body));
  EXPECT_THAT(VerifyDirectory("signature-agent.test", swapped, body, o), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(VerifyDirectory("signature-agent.test", made->headers, made->body, o), IsOk());
  net::Headers unsigned_headers;
  unsigned_headers.Set("content-digest", ContentDigest(body));
  EXPECT_THAT(VerifyDirectory("signature-agent.test", unsigned_headers, body, o), StatusIs(ErrorCode::kUnauthenticated, "key directory"));
}

TEST(WebBotAuthTest, DirectoryKeysSkipOtherKeyTypesAndRefuseMalformed) {
  EXPECT_THAT(DirectoryKeys(R"({"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]})"), IsOk());
  EXPECT_TRUE(DirectoryKeys(R"({"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]})")->empty());
  EXPECT_THAT(DirectoryKeys(R"({"keys":{}})"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DirectoryKeys(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]})"), StatusIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace aip::httpsig
