#include "aip/identity/data_integrity.h"

#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/identity/did_key.h"
#include "aip/testing/testing.h"

namespace aip::identity {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::ReadText;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string Vector(std::string_view name) { return Trim(ReadText(SharedTestdata("vc-di-eddsa/eddsa-jcs-2022/" + std::string(name)))); }

crypto::Ed25519PrivateKey VectorKey() {
  json::Value kp = ReadJson(SharedTestdata("vc-di-eddsa/keyPair.json"));
  // privateKeyMultibase = base58btc(multicodec ed25519-priv 0x1300 as varint 0x80 0x26 || seed).
  auto raw = MultibaseDecode(kp.at("privateKeyMultibase").as_string());
  EXPECT_THAT(raw, IsOk());
  EXPECT_EQ((*raw)[0], 0x80);
  EXPECT_EQ((*raw)[1], 0x26);
  auto key = crypto::Ed25519PrivateKey::FromSeed(ByteSpan(*raw).subspan(2));
  EXPECT_EQ(Ed25519Multikey(key->public_key()), kp.at("publicKeyMultibase").as_string());
  return *std::move(key);
}

CompositeResolver DidKeyOnly() {
  CompositeResolver r;
  r.Register("did:key:", std::make_shared<DidKeyResolver>());
  return r;
}

// W3C vc-di-eddsa test vectors (eddsa-jcs-2022): each intermediate value of proof creation.
TEST(DataIntegrityTest, ReproducesEveryW3cIntermediateValue) {
  crypto::Ed25519PrivateKey key = VectorKey();
  json::Value signed_doc = ReadJson(SharedTestdata("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"));
  json::Object unsecured = signed_doc.as_object();
  unsecured.erase("proof");
  json::Value config = ReadJson(SharedTestdata("vc-di-eddsa/eddsa-jcs-2022/proofConfigJCS.json"));

  auto in = ComputeHashInput(unsecured, config.as_object());
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->canonical_document, Vector("canonDocJCS.txt"));
  EXPECT_EQ(in->canonical_proof_config, Vector("proofCanonJCS.txt"));
  EXPECT_EQ(HexEncode(ByteSpan(in->hash_data).first(32)), Vector("proofHashJCS.txt"));
  EXPECT_EQ(HexEncode(ByteSpan(in->hash_data).subspan(32)), Vector("docHashJCS.txt"));
  EXPECT_EQ(HexEncode(in->hash_data), Vector("combinedHashJCS.txt"));
  auto sig = key.Sign(in->hash_data);
  EXPECT_EQ(HexEncode(sig), Vector("sigHexJCS.txt"));
  EXPECT_EQ(MultibaseEncode(sig), Vector("sigBTC58JCS.txt"));

  // Creating the proof through the public API gives the published signed credential.
  ProofOptions o;
  o.verification_method = config.at("verificationMethod").as_string();
  o.purpose = Purpose::kAssertionMethod;
  o.created = *ParseTime(config.at("created").as_string());
  auto secured = AddProof(unsecured, Identity(key, "", "", TimePoint{}), o);
  ASSERT_THAT(secured, IsOk());
  EXPECT_EQ(json::Value(*secured), signed_doc);
  ::aip::testing::ReportVectors("vc-di-eddsa/eddsa-jcs-2022 intermediate values", 8);
}

TEST(DataIntegrityTest, VerifiesThePublishedCredential) {
  json::Value signed_doc = ReadJson(SharedTestdata("vc-di-eddsa/eddsa-jcs-2022/signedJCS.json"));
  ProofExpectations e;
  e.check_time = false;
  auto v = VerifyProof(signed_doc.as_object(), DidKeyOnly(), e);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->method.controller, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");

  json::Object tampered = signed_doc.as_object();
  tampered["name"] = "Forged Credential";
  EXPECT_THAT(VerifyProof(tampered, DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated));
  json::Object ctx_swapped = signed_doc.as_object();
  ctx_swapped["@context"] = json::Array{"https://www.w3.org/ns/credentials/v2"};
  EXPECT_THAT(VerifyProof(ctx_swapped, DidKeyOnly(), e), StatusIs(ErrorCode::kInvalidArgument));
  e.purpose = Purpose::kAuthentication;
  EXPECT_THAT(VerifyProof(signed_doc.as_object(), DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated));
}

class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint t) : t_(t) {}
  TimePoint Now() const override { return t_; }

 private:
  TimePoint t_;
};

TEST(DataIntegrityTest, EnforcesDomainChallengeAndTimeWindow) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  TimePoint t0 = *ParseTime("2026-01-01T00:00:00Z");
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethod(key.public_key());
  o.purpose = Purpose::kAuthentication;
  o.created = t0;
  o.expires = t0 + std::chrono::minutes(5);
  o.domain = "https://server.example/mcp";
  o.challenge = "nonce-1";
  auto doc = AddProof(json::Object{{"method", "tools/call"}}, Identity(key, "", "", TimePoint{}), o);
  ASSERT_THAT(doc, IsOk());

  FixedClock now(t0 + std::chrono::minutes(1));
  ProofExpectations e;
  e.purpose = Purpose::kAuthentication;
  e.clock = &now;
  e.domain = "https://server.example/mcp";
  EXPECT_THAT(VerifyProof(*doc, DidKeyOnly(), e), IsOk());
  e.domain = "https://other.example/mcp";
  EXPECT_THAT(VerifyProof(*doc, DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated, "another domain"));
  e.domain.reset();
  e.challenge = "nonce-2";
  EXPECT_THAT(VerifyProof(*doc, DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated, "challenge"));
  e.challenge.reset();
  FixedClock late(t0 + std::chrono::minutes(20));
  e.clock = &late;
  EXPECT_THAT(VerifyProof(*doc, DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated, "expired"));
  FixedClock early(t0 - std::chrono::minutes(20));
  e.clock = &early;
  EXPECT_THAT(VerifyProof(*doc, DidKeyOnly(), e), StatusIs(ErrorCode::kUnauthenticated, "future"));
}

TEST(DataIntegrityTest, RejectsMalformedProofs) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethod(key.public_key());
  o.created = DefaultClock().Now();
  auto doc = AddProof(json::Object{{"a", 1}}, Identity(key, "", "", TimePoint{}), o);
  ASSERT_THAT(doc, IsOk());
  ProofExpectations e;
  auto mutate = [&](auto fn) {
    json::Object d = *doc;
    fn(d["proof"].as_object());
    return VerifyProof(d, DidKeyOnly(), e);
  };
  EXPECT_THAT(mutate([](json::Object& p) { p["cryptosuite"] = "ecdsa-jcs-2019"; }), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(mutate([](json::Object& p) { p["proofValue"] = "u" + std::string(86, 'A'); }), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(mutate([](json::Object& p) { p["proofValue"] = "z111"; }), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(mutate([](json::Object& p) { p.erase("verificationMethod"); }), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(mutate([](json::Object& p) { p["created"] = "yesterday"; }), StatusIs(ErrorCode::kInvalidArgument, "/proof/created: "));
  // Each refusal names the member; text members are bounded before anything is copied or decoded.
  EXPECT_THAT(mutate([](json::Object& p) { p["created"] = 5; }), StatusIs(ErrorCode::kInvalidArgument, "/proof/created: must be a string"));
  EXPECT_THAT(mutate([](json::Object& p) { p.erase("type"); }), StatusIs(ErrorCode::kInvalidArgument, "/proof/type: is required"));
  EXPECT_THAT(mutate([](json::Object& p) { p["domain"] = std::string(2049, 'd'); }),
              StatusIs(ErrorCode::kInvalidArgument, "/proof/domain: is longer than 2048 bytes"));
  EXPECT_THAT(mutate([](json::Object& p) { p["proofValue"] = "z" + std::string(4096, '1'); }),
              StatusIs(ErrorCode::kInvalidArgument, "/proof/proofValue: is longer than 2048 bytes"));
  // Another key's verification method: the DID resolves but the signature does not verify.
  auto other = crypto::Ed25519PrivateKey::Generate();
  EXPECT_THAT(mutate([&](json::Object& p) { p["verificationMethod"] = DidKeyVerificationMethod(other.public_key()); }),
              StatusIs(ErrorCode::kUnauthenticated));
  json::Object no_proof{{"a", 1}};
  EXPECT_THAT(VerifyProof(no_proof, DidKeyOnly(), e), StatusIs(ErrorCode::kInvalidArgument, "missing proof"));
  EXPECT_THAT(AddProof(*doc, Identity(key, "", "", TimePoint{}), o), StatusIs(ErrorCode::kInvalidArgument, "already has a proof"));
}

}  // namespace
}  // namespace aip::identity
