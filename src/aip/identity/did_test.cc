#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "aip/base/encoding.h"
#include "aip/crypto/x25519.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_document.h"
#include "aip/identity/did_key.h"
#include "aip/identity/resolver.h"
#include "aip/testing/testing.h"

namespace aip::identity {
namespace {

using ::aip::testing::Hex;
using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;

// KeyBytes reads a test-vector key given either as publicKeyBase58/privateKeyBase58 or as a JWK.
Bytes KeyBytes(const json::Value& vm, bool private_key) {
  const auto& o = vm.as_object();
  if (const json::Value* b58 = o.if_contains(private_key ? "privateKeyBase58" : "publicKeyBase58")) {
    return *Base58Decode(b58->as_string());
  }
  const json::Value& jwk = o.at(private_key ? "privateKeyJwk" : "publicKeyJwk");
  return *Base64UrlDecode(jwk.at(private_key ? "d" : "x").as_string());
}

std::string Fragment(std::string_view id) { return std::string(id.substr(id.find('#'))); }

// W3C CCG did:key test vectors: seed → Ed25519 did:key, and its derived X25519 key agreement key.
TEST(DidKeyTest, MatchesCcgEd25519Vectors) {
  json::Value doc = ReadJson(SharedTestdata("did-key/ed25519-x25519.json"));
  std::size_t count = 0;
  for (const auto& [did, v] : doc.as_object()) {
    SCOPED_TRACE(std::string(did));
    auto key = crypto::Ed25519PrivateKey::FromSeed(Hex(v.at("seed").as_string()));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(DidKeyFromPublicKey(key->public_key()), did);
    auto parsed = PublicKeyFromDidKey(did);
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, key->public_key());
    EXPECT_EQ(HexEncode(key->public_key().bytes()), HexEncode(KeyBytes(v.at("verificationKeyPair"), false)));
    // Key agreement: the birational map of the Ed25519 key, and its multikey fragment.
    auto x = crypto::X25519PublicFromEd25519(key->public_key());
    ASSERT_THAT(x, IsOk());
    const auto& ka = v.at("keyAgreementKeyPair");
    EXPECT_EQ(HexEncode(*x), HexEncode(KeyBytes(ka, false)));
    EXPECT_EQ("#" + X25519Multikey(*x), Fragment(ka.at("id").as_string()));
    crypto::SecretBytes xpriv = crypto::X25519PrivateFromEd25519(*key);
    EXPECT_EQ(HexEncode(xpriv.RevealSecret()), HexEncode(KeyBytes(ka, true)));
    // Our document lists the same key ids under the same relationships.
    auto built = BuildDidDocument(did, key->public_key());
    ASSERT_THAT(built, IsOk());
    auto ours = DidDocument::FromJson(json::Value(*built));
    auto theirs = DidDocument::FromJson(v.at("didDocument"));
    ASSERT_THAT(ours, IsOk());
    ASSERT_THAT(theirs, IsOk());
    std::string vm = std::string(did) + "#" + std::string(did).substr(8);
    for (Purpose p :
         {Purpose::kAuthentication, Purpose::kAssertionMethod, Purpose::kCapabilityInvocation, Purpose::kCapabilityDelegation}) {
      ASSERT_THAT(ours->KeyFor(vm, p), IsOk());
      ASSERT_THAT(theirs->KeyFor(vm, p), IsOk());
      EXPECT_EQ(ours->KeyFor(vm, p)->key, theirs->KeyFor(vm, p)->key);
    }
    EXPECT_EQ(built->at("keyAgreement").as_array()[0].at("id").as_string(), std::string(did) + Fragment(ka.at("id").as_string()));
    ++count;
  }
  ::aip::testing::ReportVectors("did-key/ed25519-x25519.json", count);
}

TEST(DidKeyTest, MatchesCcgX25519Identifiers) {
  json::Value doc = ReadJson(SharedTestdata("did-key/x25519.json"));
  std::size_t count = 0;
  for (const auto& [did, d] : doc.at("didDocument").as_object()) {
    const auto& vm = d.at("verificationMethod").as_array()[0];
    Bytes raw = KeyBytes(vm, false);
    ASSERT_EQ(raw.size(), 32u);
    crypto::X25519PublicKey x;
    std::copy(raw.begin(), raw.end(), x.begin());
    EXPECT_EQ("did:key:" + X25519Multikey(x), did);
    // An X25519 did:key is not an Ed25519 signing key.
    EXPECT_THAT(PublicKeyFromDidKey(did), StatusIs(ErrorCode::kInvalidArgument));
    ++count;
  }
  ::aip::testing::ReportVectors("did-key/x25519.json", count);
}

TEST(DidKeyTest, RejectsMalformedIdentifiers) {
  for (const char* bad :
       {"did:key:", "did:key:z", "did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWpp",
        "did:web:x", "did:key:z1111111111111111111111111111111111111111111"}) {
    EXPECT_FALSE(PublicKeyFromDidKey(bad).ok()) << bad;
  }
}

struct AipVectors {
  std::map<std::string, std::string> kv;
  std::vector<std::tuple<std::string, std::string, std::string>> signed_payloads;  // section, payload, sig
};

// Parses testdata/aip-compat/vectors.txt: "key=value" lines and [section] blocks with a payload and
// its base64 signature.
AipVectors ReadAipVectors() {
  AipVectors out;
  std::ifstream in(SharedTestdata("aip-compat/vectors.txt"));
  std::string line, section, payload;
  while (std::getline(in, line)) {
    if (line.starts_with("[")) {
      section = line;
      payload.clear();
    } else if (line.starts_with("payload=")) {
      std::string p = line.substr(8);
      if (p.starts_with("'")) {
        p = p.substr(1, p.size() - 2);
      } else {
        while (!p.empty() && p.front() == ' ') p.erase(0, 1);
        while (!p.empty() && p.back() == ' ') p.pop_back();
      }
      payload = p;
    } else if (line.starts_with("sig_b64=")) {
      std::string s = line.substr(8);
      while (!s.empty() && (s.front() == ' ')) s.erase(0, 1);
      while (!s.empty() && (s.back() == ' ')) s.pop_back();
      out.signed_payloads.emplace_back(section, payload, s);
    } else if (auto eq = line.find('='); eq != std::string::npos && section.empty()) {
      std::string v = line.substr(eq + 1);
      if (auto sp = v.find(' '); sp != std::string::npos) v = v.substr(0, sp);
      out.kv[line.substr(0, eq)] = v;
    }
  }
  return out;
}

TEST(DidAipTest, MatchesPythonAipDerivations) {
  AipVectors v = ReadAipVectors();
  std::size_t count = 0;
  for (std::string who : {"A", "B"}) {
    auto key = crypto::Ed25519PrivateKey::FromSeed(Hex(v.kv[who + ".seed_hex"]));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(HexEncode(key->public_key().bytes()), v.kv[who + ".public_key_hex"]);
    EXPECT_EQ(Base64Encode(key->public_key().bytes()), v.kv[who + ".public_key_b64"]);
    EXPECT_EQ(DidAipFromPublicKey(key->public_key()), v.kv[who + ".did_aip"]);
    EXPECT_EQ(DidKeyFromPublicKey(key->public_key()), v.kv[who + ".did_key"]);
    auto x = crypto::X25519PublicFromEd25519(key->public_key());
    EXPECT_EQ(HexEncode(*x), v.kv[who + ".x25519_pub_hex"]);
    EXPECT_EQ(HexEncode(crypto::X25519PrivateFromEd25519(*key).RevealSecret()), v.kv[who + ".x25519_priv_hex"]);
    EXPECT_TRUE(IsWellFormedDidAip(DidAipFromPublicKey(key->public_key())));
    EXPECT_TRUE(DidMatchesKey(v.kv[who + ".did_aip"], key->public_key()));
    count += 6;
  }
  auto zero = crypto::Ed25519PublicKey::FromBytes(Bytes(32, 0));
  EXPECT_EQ(DidKeyFromPublicKey(*zero), "did:key:z6MkeTG3bFFSLYVU7VqhgZxqr6YzpaGrQtFMh1uvqGy1vDnP");
  EXPECT_EQ(DidAipFromPublicKey(*zero), "did:aip:66687aadf862bd776c8fc18b8e9f8e20");
  EXPECT_FALSE(IsWellFormedDidAip("did:aip:66687AADF862BD776C8FC18B8E9F8E20"));
  EXPECT_FALSE(IsWellFormedDidAip("did:aip:oracle:insumerapi"));
  ::aip::testing::ReportVectors("aip-compat/vectors.txt identities", count + 2);
}

// Every legacy payload in vectors.txt verifies under the key that signed it (B signs the
// handshake response, A everything else): our Ed25519 agrees byte for byte with the Python project.
TEST(DidAipTest, VerifiesEveryLegacySignedPayload) {
  AipVectors v = ReadAipVectors();
  auto a = crypto::Ed25519PrivateKey::FromSeed(Hex(v.kv["A.seed_hex"]));
  auto b = crypto::Ed25519PrivateKey::FromSeed(Hex(v.kv["B.seed_hex"]));
  ASSERT_FALSE(v.signed_payloads.empty());
  for (const auto& [section, payload, sig_b64] : v.signed_payloads) {
    SCOPED_TRACE(section);
    auto sig = Base64Decode(sig_b64);
    ASSERT_THAT(sig, IsOk());
    const auto& key = section.find("respond") != std::string::npos ? *b : *a;
    EXPECT_THAT(crypto::Verify(key.public_key(), AsBytes(payload), *sig), IsOk());
    EXPECT_EQ(Base64Encode(key.Sign(AsBytes(payload))), sig_b64);
  }
  ::aip::testing::ReportVectors("aip-compat/vectors.txt signed payloads", v.signed_payloads.size());
}

TEST(DidDocumentTest, RejectsHostileDocuments) {
  EXPECT_THAT(DidDocument::FromJson(json::Value(1)), StatusIs(ErrorCode::kInvalidArgument));
  auto doc = json::ParseJson(R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"Multikey",
    "controller":"did:example:1","publicKeyMultibase":"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}],
    "authentication":["#k"]})");
  ASSERT_THAT(doc, IsOk());
  auto d = DidDocument::FromJson(*doc);
  ASSERT_THAT(d, IsOk());
  EXPECT_THAT(d->KeyFor("did:example:1#k", Purpose::kAuthentication), IsOk());
  EXPECT_THAT(d->KeyFor("#k", Purpose::kAssertionMethod), StatusIs(ErrorCode::kPermissionDenied));
  EXPECT_THAT(d->KeyFor("did:example:1#other", Purpose::kAuthentication), StatusIs(ErrorCode::kNotFound));
  // A method controlled by someone else is never usable.
  auto foreign = json::ParseJson(R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"Multikey",
    "controller":"did:example:2","publicKeyMultibase":"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"}],
    "authentication":["#k"]})");
  EXPECT_THAT(DidDocument::FromJson(*foreign)->KeyFor("#k", Purpose::kAuthentication), StatusIs(ErrorCode::kPermissionDenied));
  auto badkey = json::ParseJson(R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"Multikey",
    "publicKeyMultibase":"z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"}]})");
  EXPECT_THAT(DidDocument::FromJson(*badkey), StatusIs(ErrorCode::kInvalidArgument));
  // Each refusal names the member by its pointer.
  auto refused = [](std::string_view text) { return DidDocument::FromJson(*json::ParseJson(text)); };
  EXPECT_THAT(refused(R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"Multikey","publicKeyMultibase":7}]})"),
              StatusIs(ErrorCode::kInvalidArgument, "/verificationMethod/0/publicKeyMultibase: must be a string"));
  EXPECT_THAT(refused(R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"Multikey"}]})"),
              StatusIs(ErrorCode::kInvalidArgument, "/verificationMethod/0: has no public key"));
  EXPECT_THAT(refused(R"({"id":"did:example:1","authentication":["#k",3]})"),
              StatusIs(ErrorCode::kInvalidArgument, "/authentication/1: must be a string or an object"));
  EXPECT_THAT(
      refused(
          R"({"id":"did:example:1","verificationMethod":[{"id":"#k","type":"JsonWebKey","publicKeyJwk":{"kty":"EC","crv":"Ed25519","x":"AA"}}]})"),
      StatusIs(ErrorCode::kInvalidArgument, "/verificationMethod/0/publicKeyJwk: is not an Ed25519 OKP key"));
  EXPECT_THAT(refused(R"({"id":"https://example.com"})"), StatusIs(ErrorCode::kInvalidArgument, "/id: is not a DID"));
  std::string many = R"({"id":"did:example:1","authentication":[)";
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + "\"#k" + std::to_string(i) + "\"";
  EXPECT_THAT(refused(many + "]}"), StatusIs(ErrorCode::kInvalidArgument, "/authentication: has more than 64 entries"));
}

TEST(ResolverTest, ResolvesDidKeyAndKeyringDids) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  StaticKeyResolver keyring;
  ASSERT_THAT(keyring.Add(DidAipFromPublicKey(key.public_key()), key.public_key()), IsOk());
  EXPECT_THAT(keyring.Add(DidAipFromPublicKey(key.public_key()), crypto::Ed25519PrivateKey::Generate().public_key()),
              StatusIs(ErrorCode::kInvalidArgument));
  CompositeResolver r;
  r.Register("did:key:", std::make_shared<DidKeyResolver>());
  r.Register("did:aip:", std::make_shared<StaticKeyResolver>(keyring));
  EXPECT_THAT(r.Resolve(DidKeyFromPublicKey(key.public_key())), IsOk());
  auto res = r.Resolve(DidAipFromPublicKey(key.public_key()));
  ASSERT_THAT(res, IsOk());
  EXPECT_EQ(res->parsed.methods()[0].key, key.public_key());
  EXPECT_THAT(r.Resolve("did:aip:00000000000000000000000000000000"), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(r.Resolve("did:web:example.com"), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(ResolveVerificationKey(r, DidKeyVerificationMethod(key.public_key()), Purpose::kAuthentication), IsOk());
  // KeyOf: the key of a DID named without a verification method, found without a document
  // where the resolver knows it, the same key the document would give.
  for (const std::string& did : {DidKeyFromPublicKey(key.public_key()), DidAipFromPublicKey(key.public_key())}) {
    auto k = r.KeyOf(did, Purpose::kAuthentication);
    ASSERT_THAT(k, IsOk()) << did;
    EXPECT_EQ(*k, key.public_key());
    EXPECT_EQ(*r.DidResolver::KeyOf(did, Purpose::kAuthentication), key.public_key()) << "the document's key, " << did;
  }
  EXPECT_THAT(r.KeyOf("did:aip:00000000000000000000000000000000", Purpose::kAuthentication), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(r.KeyOf("did:web:example.com", Purpose::kAuthentication), StatusIs(ErrorCode::kNotFound));
}

// A resolver with one document whose only key may assert but not authenticate.
class AssertionOnlyResolver final : public DidResolver {
 public:
  explicit AssertionOnlyResolver(const crypto::Ed25519PublicKey& key) : key_(key) {}
  Result<Resolution> Resolve(std::string_view did) const override {
    json::Object doc{{"id", did},
                     {"verificationMethod",
                      json::Array{json::Object{{"id", "#k"}, {"type", "Multikey"}, {"publicKeyMultibase", Ed25519Multikey(key_)}}}},
                     {"assertionMethod", json::Array{"#k"}}};
    AIP_ASSIGN_OR_RETURN(DidDocument parsed, DidDocument::FromJson(json::Value(doc)));
    return Resolution{doc, std::move(parsed)};
  }

 private:
  crypto::Ed25519PublicKey key_;
};

TEST(ResolverTest, KeyOfTakesOnlyAKeyAuthorizedForThePurpose) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  AssertionOnlyResolver r(key.public_key());
  EXPECT_THAT(r.KeyOf("did:example:1", Purpose::kAssertionMethod), IsOk());
  EXPECT_THAT(r.KeyOf("did:example:1", Purpose::kAuthentication),
              StatusIs(ErrorCode::kFailedPrecondition, "the DID has no key for authentication"));
}

TEST(DidSyntaxTest, AcceptsDidsAndRefusesDidUrlsAndJunk) {
  for (const char* good : {"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "did:aip:66687aadf862bd776c8fc18b8e9f8e20",
                           "did:web:example.com%3A8443:users:alice", "did:example:123"}) {
    EXPECT_TRUE(IsWellFormedDid(good)) << good;
  }
  for (const char* bad : {"", "did:", "did::x", "did:key:", "did:key:abc:", "did:Key:abc", "did:web:a/b", "did:web:a?q", "did:key:abc#frag",
                          "did:web:a%zz", "did:web:a%2", "did:key:a b", "did:key:<script>", "notadid:x:y"}) {
    EXPECT_FALSE(IsWellFormedDid(bad)) << bad;
  }
  EXPECT_FALSE(IsWellFormedDid("did:x:" + std::string(600, 'a')));
}

}  // namespace
}  // namespace aip::identity
