#include "aip/httpsig/message_signature.h"

#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/testing/testing.h"

namespace aip::httpsig {
namespace {

// SignWith signs with a bare key, as a test that holds one may.
SignBase SignWith(const crypto::Ed25519PrivateKey& key) {
  return [&key](ByteSpan base) -> Result<crypto::Ed25519Signature> { return key.Sign(base); };
}

using ::aip::testing::Hex;
using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t unix) : t_(std::chrono::seconds(unix)) {}
  TimePoint Now() const override { return t_; }
  TimePoint t_;
};

// RFC 9421 Appendix B.2.6 (Ed25519): the signature base is rebuilt exactly, the published
// signature verifies, and signing the same base reproduces it (Ed25519 is deterministic).
TEST(MessageSignatureTest, ReproducesRfc9421B26) {
  json::Value v = ReadJson(SharedTestdata("rfc/vectors.json")).at("rfc9421_b26_ed25519");
  net::Headers h;
  h.Add("Host", "example.com");
  h.Add("Date", "Tue, 20 Apr 2021 02:07:55 GMT");
  h.Add("Content-Type", "application/json");
  h.Add("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:");
  h.Add("Content-Length", "18");
  h.Add("Signature-Input", std::string(v.at("signature_input").as_string()));
  h.Add("Signature", std::string(v.at("signature").as_string()));
  HttpMessage m{"POST", "https://example.com/foo?param=Value&Pet=dog", &h};
  auto inputs = ParseDictionary(v.at("signature_input").as_string());
  ASSERT_THAT(inputs, IsOk());
  auto base = SignatureBase(m, std::get<InnerList>(inputs->at(0).second));
  ASSERT_THAT(base, IsOk());
  EXPECT_EQ(*base, v.at("signature_base").as_string());
  auto key = crypto::Ed25519PrivateKey::FromSeed(Hex(v.at("seed_hex").as_string()));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(HexEncode(key->public_key().bytes()), v.at("public_hex").as_string());
  auto sigs = ParseDictionary(v.at("signature").as_string());
  Bytes published = std::get<Bytes>(sigs->at(0).second);
  EXPECT_EQ(Base64Encode(key->Sign(AsBytes(*base))), Base64Encode(published));
  VerifyOptions o;
  o.key_for = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    if (keyid != "test-key-ed25519") return NotFoundError("unknown key");
    return key->public_key();
  };
  o.required_components = {"@method", "@authority", "content-type"};
  o.require_expires = false;
  o.max_lifetime = std::chrono::hours(24 * 365 * 10);  // The vector is from 2021.
  FixedClock clock(1618884480);
  o.clock = &clock;
  o.require_digest_for_body = false;  // The RFC's example covers content-length, not the digest.
  EXPECT_THAT(VerifyRequest(m, "{\"hello\": \"world\"}", o), IsOk());
  // Which is why aip's profile insists on content-digest: without it the body is not protected.
  o.require_digest_for_body = true;
  EXPECT_THAT(VerifyRequest(m, "{\"hello\": \"World\"}", o), StatusIs(ErrorCode::kUnauthenticated, "does not cover content-digest"));
  ::aip::testing::ReportVectors("rfc/vectors.json rfc9421_b26_ed25519", 1);
}

TEST(MessageSignatureTest, ContentDigestMatchesRfc9530) {
  json::Value v = ReadJson(SharedTestdata("rfc/vectors.json")).at("rfc9530_content_digest");
  std::string body(v.at("body").as_string());
  EXPECT_EQ(ContentDigest(body), v.at("sha-256").as_string());
  EXPECT_THAT(CheckContentDigest(v.at("sha-512").as_string(), body), IsOk());
  EXPECT_THAT(CheckContentDigest(v.at("sha-256").as_string(), body + " "), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(CheckContentDigest("md5=:AAAA:", body), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(MessageSignatureTest, SignsAndVerifiesTheAipProfile) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  FixedClock clock(1790000000);
  net::Headers h;
  h.Set("content-type", "application/json");
  h.Set("mcp-protocol-version", "2026-07-28");
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})";
  SignOptions so;
  so.keyid = "did:key:example#k";
  so.clock = &clock;
  ASSERT_THAT(SignRequest("POST", "http://127.0.0.1:8080/mcp", h, body, SignWith(key), so), IsOk());
  VerifyOptions o;
  o.key_for = [&](std::string_view) -> Result<crypto::Ed25519PublicKey> { return key.public_key(); };
  o.clock = &clock;
  o.tag = "aip-mcp";
  HttpMessage m{"POST", "http://127.0.0.1:8080/mcp", &h};
  auto ok = VerifyRequest(m, body, o);
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->keyid, "did:key:example#k");
  EXPECT_FALSE(ok->nonce.empty());
  // Another URL, method, body or version header: refused.
  EXPECT_FALSE(VerifyRequest(HttpMessage{"POST", "http://127.0.0.1:8080/other", &h}, body, o).ok());
  EXPECT_FALSE(VerifyRequest(HttpMessage{"PUT", "http://127.0.0.1:8080/mcp", &h}, body, o).ok());
  EXPECT_THAT(VerifyRequest(m, body + " ", o), StatusIs(ErrorCode::kUnauthenticated, "digest mismatch"));
  net::Headers h2 = h;
  h2.Set("mcp-protocol-version", "2025-11-25");
  EXPECT_FALSE(VerifyRequest(HttpMessage{"POST", "http://127.0.0.1:8080/mcp", &h2}, body, o).ok());
  clock.t_ += std::chrono::minutes(10);
  EXPECT_THAT(VerifyRequest(m, body, o), StatusIs(ErrorCode::kUnauthenticated, "expired"));
}

// Several labels: each must verify and all must name one key.
TEST(MessageSignatureTest, EveryLabelMustVerifyAndNameOneKey) {
  auto key1 = crypto::Ed25519PrivateKey::Generate();
  auto key2 = crypto::Ed25519PrivateKey::Generate();
  FixedClock clock(1790000000);
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})";
  auto signed_by = [&](const crypto::Ed25519PrivateKey& key, const std::string& keyid, const std::string& label) {
    net::Headers h;
    h.Set("content-type", "application/json");
    SignOptions so;
    so.keyid = keyid;
    so.clock = &clock;
    so.label = label;
    EXPECT_THAT(SignRequest("POST", "http://127.0.0.1:8080/mcp", h, body, SignWith(key), so), IsOk());
    return h;
  };
  auto both = [](const net::Headers& a, const net::Headers& b, bool corrupt_b = false) {
    net::Headers h = a;
    std::string sig_b(*b.Get("signature"));
    if (corrupt_b) {
      char& c = sig_b[sig_b.find(":") + 3];  // Another valid base64 character: a wrong signature, well formed.
      c = c == 'A' ? 'B' : 'A';
    }
    h.Set("signature-input", std::string(*a.Get("signature-input")) + ", " + std::string(*b.Get("signature-input")));
    h.Set("signature", std::string(*a.Get("signature")) + ", " + sig_b);
    return h;
  };
  VerifyOptions o;
  o.key_for = [&](std::string_view keyid) -> Result<crypto::Ed25519PublicKey> {
    return keyid == "did:key:one#k" ? key1.public_key() : key2.public_key();
  };
  o.clock = &clock;
  auto verify = [&](const net::Headers& h) { return VerifyRequest(HttpMessage{"POST", "http://127.0.0.1:8080/mcp", &h}, body, o); };
  auto a = signed_by(key1, "did:key:one#k", "a");
  EXPECT_THAT(verify(both(a, signed_by(key1, "did:key:one#k", "b"))), IsOk());
  EXPECT_THAT(verify(both(a, signed_by(key2, "did:key:two#k", "b"))),
              StatusIs(ErrorCode::kUnauthenticated, "ambiguous: signature labels a and b name different keys"));
  EXPECT_THAT(verify(both(a, signed_by(key1, "did:key:one#k", "b"), true)), StatusIs(ErrorCode::kUnauthenticated, "signature label b:"));
  net::Headers extra = a;
  extra.Set("signature", std::string(*a.Get("signature")) + ", c=:AAAA:");
  EXPECT_THAT(verify(extra), StatusIs(ErrorCode::kUnauthenticated, "signature label c has no Signature-Input"));
  net::Headers missing = a;
  missing.Set("signature-input", std::string(*a.Get("signature-input")) + ", d=(\"@method\");created=1;keyid=\"x\"");
  EXPECT_THAT(verify(missing), StatusIs(ErrorCode::kUnauthenticated, "signature label d has no Signature"));
}

TEST(StructuredFieldsTest, RejectsMalformedInput) {
  for (const char* bad : {"sig=(", "sig=(\"a\" ;x=1", "sig=:!!:", "=(\"a\")", "sig=(\"a\"),sig=(\"b\")", "sig=(\"a\"),", "Sig=(\"a\")"}) {
    EXPECT_FALSE(ParseDictionary(bad).ok()) << bad;
  }
  // Component parameters parse (RFC 9421 §2.1); only those aip implements derive a value.
  auto with_params = ParseDictionary("sig=(\"a\";p=1 \"b\";key=\"m\")");
  ASSERT_THAT(with_params, IsOk());
  const InnerList& list = std::get<InnerList>((*with_params)[0].second);
  EXPECT_EQ(SerializeInnerList(list), "(\"a\";p=1 \"b\";key=\"m\")");
  net::Headers h;
  h.Set("a", "x");
  HttpMessage m{"GET", "https://example.com/", &h};
  EXPECT_THAT(SignatureBase(m, list), StatusIs(ErrorCode::kInvalidArgument, "unsupported component parameter p"));
  auto ok = ParseDictionary(R"(a=("@method" "x");created=1;keyid="k";flag, b=:AAAA:)");
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->size(), 2u);
}

TEST(StructuredFieldsTest, KeepsTokensParametersAndBareKeys) {
  // A token stays a token (written bare), a member keeps its parameters, a bare key is true.
  auto dict = ParseDictionary(R"(a=tok;p=1, b="tok", c, d;q=?0, e=:AAAA:;x)");
  ASSERT_THAT(dict, IsOk());
  EXPECT_EQ(std::get<Item>((*dict)[0].second).value, BareItem(Token{"tok"}));
  EXPECT_NE(std::get<Item>((*dict)[0].second).value, BareItem(std::string("tok")));
  EXPECT_EQ(SerializeDictionary(*dict), R"(a=tok;p=1, b="tok", c, d;q=?0, e=:AAAA:;x)");
  EXPECT_EQ(SerializeMember((*dict)[0].second), "tok;p=1");
}

TEST(MessageSignatureTest, SfSerializesAKnownDictionaryField) {
  net::Headers h;
  h.Add("signature-agent", R"(agent1="https://a.example";x=tok,   agent2="https://b.example")");
  HttpMessage m{"GET", "https://example.com/", &h};
  // §2.1.1: parsed and written again, so spacing a proxy changed does not break the signature.
  EXPECT_EQ(*ComponentValue(m, "signature-agent", Parameters{{{"sf", BareItem(true)}}}),
            R"(agent1="https://a.example";x=tok, agent2="https://b.example")");
  EXPECT_EQ(*ComponentValue(m, "signature-agent", Parameters{{{"key", BareItem(std::string("agent1"))}}}), R"("https://a.example";x=tok)");
  h.Add("x-custom", "a=1");
  EXPECT_THAT(ComponentValue(m, "x-custom", Parameters{{{"sf", BareItem(true)}}}),
              StatusIs(ErrorCode::kInvalidArgument, "type is not known"));
  EXPECT_THAT(ComponentValue(m, "@method", Parameters{{{"sf", BareItem(true)}}}), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ComponentValue(m, "signature-agent", Parameters{{{"sf", BareItem(std::int64_t{1})}}}),
              StatusIs(ErrorCode::kInvalidArgument, "bare flag"));
  EXPECT_THAT(ComponentValue(m, "signature-agent", Parameters{{{"bs", BareItem(true)}}}),
              StatusIs(ErrorCode::kInvalidArgument, "unsupported component parameter bs"));
  // A signature covering "signature-agent";sf verifies, and still does after the spacing changes.
  auto key = crypto::Ed25519PrivateKey::Generate();
  InnerList params;
  params.strings = {"@authority", "signature-agent"};
  params.item_params = {Parameters{}, Parameters{{{"sf", BareItem(true)}}}};
  params.params.items = {{"created", BareItem(std::int64_t{1800000000})}, {"keyid", BareItem(std::string("k"))}};
  net::Headers out;
  ASSERT_THAT(AddSignature(
                  m, params, [&](ByteSpan base) { return key.Sign(base); }, "sig1", out),
              IsOk());
  net::Headers respaced;
  respaced.Add("signature-agent", R"(agent1="https://a.example";x=tok, agent2="https://b.example")");
  respaced.Set("signature-input", std::string(*out.Get("signature-input")));
  respaced.Set("signature", std::string(*out.Get("signature")));
  EXPECT_NE(std::string(*out.Get("signature-input")).find(R"("signature-agent";sf)"), std::string::npos);
  VerifyOptions v;
  v.key_for = [&](std::string_view) -> Result<crypto::Ed25519PublicKey> { return key.public_key(); };
  v.required_components = {"@authority"};
  v.require_mcp_version_covered = false;
  v.require_expires = false;
  v.max_lifetime = std::chrono::hours(24 * 365 * 100);
  struct At final : Clock {
    TimePoint Now() const override { return TimePoint(std::chrono::seconds(1800000010)); }
  } at;
  v.clock = &at;
  EXPECT_THAT(VerifyRequest(HttpMessage{"GET", "https://example.com/", &respaced}, "", v), IsOk());
  respaced.Set("signature-agent", R"(agent1="https://evil.example", agent2="https://b.example")");
  EXPECT_THAT(VerifyRequest(HttpMessage{"GET", "https://example.com/", &respaced}, "", v), StatusIs(ErrorCode::kUnauthenticated));
}

}  // namespace
}  // namespace aip::httpsig
