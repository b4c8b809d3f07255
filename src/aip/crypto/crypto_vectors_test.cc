// Known-answer tests for every crypto wrapper: the Wycheproof files in ../shared/testdata and the
// RFC vectors. Each test counts the vectors it ran so `make test` shows the coverage.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

#include "aip/base/encoding.h"
#include "aip/crypto/aead.h"
#include "aip/crypto/ed25519.h"
#include "aip/crypto/public_key.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/crypto/x25519.h"
#include "aip/testing/testing.h"

namespace aip::crypto {
namespace {

using ::aip::testing::Hex;
using ::aip::testing::IsOk;
using ::aip::testing::ReadJson;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;

std::string Str(const json::Value& v, std::string_view key) { return std::string(v.as_object().at(key).as_string()); }

TEST(Ed25519Test, PassesWycheproof) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/ed25519_test.json"));
  std::size_t count = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    auto pk = Ed25519PublicKey::FromBytes(Hex(Str(group.at("publicKey"), "pk")));
    ASSERT_THAT(pk, IsOk());
    for (const auto& t : group.at("tests").as_array()) {
      std::string result = Str(t, "result");
      Status s = Verify(*pk, Hex(Str(t, "msg")), Hex(Str(t, "sig")));
      EXPECT_EQ(s.ok(), result == "valid") << "tcId " << t.at("tcId").as_int64() << " " << Str(t, "comment");
      ++count;
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/ed25519_test.json", count);
}

TEST(Ed25519Test, SignsRfc8032Vectors) {
  json::Value doc = ReadJson(SharedTestdata("rfc/vectors.json"));
  std::size_t count = 0;
  for (const auto& v : doc.at("rfc8032_ed25519").as_array()) {
    auto key = Ed25519PrivateKey::FromSeed(Hex(Str(v, "seed_hex")));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(HexEncode(key->public_key().bytes()), Str(v, "public_hex"));
    Bytes msg = Hex(Str(v, "message_hex"));
    EXPECT_EQ(HexEncode(key->Sign(msg)), Str(v, "signature_hex"));
    EXPECT_THAT(Verify(key->public_key(), msg, key->Sign(msg)), IsOk());
    ++count;
  }
  ::aip::testing::ReportVectors("rfc/vectors.json rfc8032_ed25519", count);
}

TEST(Ed25519Test, RejectsWrongLengthsAndFlippedBits) {
  auto key = Ed25519PrivateKey::Generate();
  auto sig = key.Sign(AsBytes("hello"));
  EXPECT_THAT(Verify(key.public_key(), AsBytes("hello"), sig), IsOk());
  sig[10] ^= 1;
  EXPECT_THAT(Verify(key.public_key(), AsBytes("hello"), sig), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(Verify(key.public_key(), AsBytes("hello"), ByteSpan(sig).first(63)), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Ed25519PublicKey::FromBytes(Bytes(31)), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Ed25519PrivateKey::FromSeed(Bytes(33)), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(X25519Test, PassesWycheproof) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/x25519_test.json"));
  std::size_t count = 0, acceptable_rejected = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    for (const auto& t : group.at("tests").as_array()) {
      std::string result = Str(t, "result");
      auto shared = X25519(SecretBytes(Hex(Str(t, "private"))), Hex(Str(t, "public")));
      std::string expected = Str(t, "shared");
      ++count;
      if (result == "invalid") {
        EXPECT_FALSE(shared.ok()) << "tcId " << t.at("tcId").as_int64();
        continue;
      }
      if (!shared.ok()) {
        // "acceptable" vectors with an all-zero shared secret (low-order points): we reject them,
        // as RFC 7748 §6.1 allows and as a key exchange should.
        EXPECT_EQ(result, "acceptable") << "tcId " << t.at("tcId").as_int64();
        EXPECT_EQ(expected, std::string(64, '0')) << "tcId " << t.at("tcId").as_int64();
        ++acceptable_rejected;
        continue;
      }
      EXPECT_EQ(HexEncode(shared->RevealSecret()), expected) << "tcId " << t.at("tcId").as_int64();
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/x25519_test.json", count);
  std::printf("[vectors] x25519: %zu low-order 'acceptable' cases rejected by design\n", acceptable_rejected);
}

TEST(X25519Test, SealedBoxRoundTripAndTamper) {
  auto ed = Ed25519PrivateKey::Generate();
  auto pub = X25519PublicFromEd25519(ed.public_key());
  ASSERT_THAT(pub, IsOk());
  SecretBytes priv = X25519PrivateFromEd25519(ed);
  EXPECT_EQ(*X25519PublicFromPrivate(priv), *pub);
  auto sealed = SealTo(*pub, AsBytes("secret message"));
  ASSERT_THAT(sealed, IsOk());
  auto opened = OpenSealed(*pub, priv, *sealed);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(ToString(*opened), "secret message");
  (*sealed)[40] ^= 1;
  EXPECT_THAT(OpenSealed(*pub, priv, *sealed), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(OpenSealed(*pub, priv, Bytes(10)), StatusIs(ErrorCode::kUnauthenticated));
}

TEST(XChaChaTest, PassesWycheproof) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/xchacha20_poly1305_test.json"));
  std::size_t count = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    for (const auto& t : group.at("tests").as_array()) {
      SecretBytes key(Hex(Str(t, "key")));
      Bytes iv = Hex(Str(t, "iv")), aad = Hex(Str(t, "aad")), msg = Hex(Str(t, "msg"));
      Bytes sealed = Concat({Hex(Str(t, "ct")), Hex(Str(t, "tag"))});
      bool valid = Str(t, "result") == "valid";
      auto opened = XChaChaOpen(key, iv, sealed, aad);
      EXPECT_EQ(opened.ok(), valid) << "tcId " << t.at("tcId").as_int64();
      if (valid && opened.ok()) {
        EXPECT_EQ(HexEncode(opened->RevealSecret()), Str(t, "msg"));
        auto enc = XChaChaSeal(key, iv, msg, aad);
        ASSERT_THAT(enc, IsOk());
        EXPECT_EQ(*enc, sealed) << "tcId " << t.at("tcId").as_int64();
      }
      ++count;
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/xchacha20_poly1305_test.json", count);
}

TEST(HmacTest, PassesWycheproof) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/hmac_sha256_test.json"));
  std::size_t count = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    std::size_t tag_bytes = static_cast<std::size_t>(group.at("tagSize").as_int64()) / 8;
    for (const auto& t : group.at("tests").as_array()) {
      Sha256Digest mac = HmacSha256(Hex(Str(t, "key")), Hex(Str(t, "msg")));
      // The prepared-key form gives the same tag.
      EXPECT_EQ(HmacSha256Key(Hex(Str(t, "key"))).Mac(Hex(Str(t, "msg"))), mac) << "tcId " << t.at("tcId").as_int64();
      // Truncated tags compare against the prefix, in constant time as a verifier would.
      bool match = ConstantTimeEquals(ByteSpan(mac).first(tag_bytes), Hex(Str(t, "tag")));
      EXPECT_EQ(match, Str(t, "result") == "valid") << "tcId " << t.at("tcId").as_int64();
      // Verify accepts exactly the valid full-length tags: aip never takes a truncated MAC.
      bool full_and_valid = tag_bytes == 32 && Str(t, "result") == "valid";
      EXPECT_EQ(VerifyHmacSha256(Hex(Str(t, "key")), Hex(Str(t, "msg")), Hex(Str(t, "tag"))).ok(), full_and_valid)
          << "tcId " << t.at("tcId").as_int64();
      EXPECT_EQ(HmacSha256Key(Hex(Str(t, "key"))).Verify(Hex(Str(t, "msg")), Hex(Str(t, "tag"))).ok(), full_and_valid)
          << "tcId " << t.at("tcId").as_int64();
      ++count;
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/hmac_sha256_test.json", count);
}

// Fixed32 turns a Wycheproof big-endian integer (a leading zero byte, or fewer bytes) into the
// 32 bytes a JWK coordinate holds; nullopt when it does not fit.
std::optional<Bytes> Fixed32(Bytes b) {
  while (b.size() > 32 && b.front() == 0) b.erase(b.begin());
  if (b.size() > 32) return std::nullopt;
  b.insert(b.begin(), 32 - b.size(), 0);
  return b;
}

// RunSignatureFile checks every vector of a Wycheproof verify file with `verify`, against a key
// built from its components and from its DER: valid ones pass, invalid ones fail, acceptable
// ones (legacy encodings) may go either way.
template <typename MakeKey, typename Verify>
void RunSignatureFile(const std::string& file, MakeKey make_key, Verify verify) {
  json::Value doc = ReadJson(SharedTestdata("wycheproof/" + file));
  std::size_t count = 0;
  for (const auto& group : doc.at("testGroups").as_array()) {
    auto from_parts = make_key(group);
    auto from_der = PublicKey::FromSpkiDer(Hex(Str(group, "publicKeyDer")));
    ASSERT_EQ(from_parts.ok(), from_der.ok()) << file;
    for (const auto& t : group.at("tests").as_array()) {
      std::string result = Str(t, "result");
      auto id = t.at("tcId").as_int64();
      ++count;
      if (!from_parts.ok()) {
        EXPECT_NE(result, "valid") << file << " tcId " << id << ": key refused";
        continue;
      }
      Bytes msg = Hex(Str(t, "msg")), sig = Hex(Str(t, "sig"));
      bool ok = verify(*from_parts, msg, sig).ok();
      EXPECT_EQ(ok, verify(*from_der, msg, sig).ok()) << file << " tcId " << id;
      if (result == "valid") {
        EXPECT_TRUE(ok) << file << " tcId " << id;
      } else if (result == "invalid") {
        EXPECT_FALSE(ok) << file << " tcId " << id;
      }
    }
  }
  EXPECT_EQ(count, static_cast<std::size_t>(doc.at("numberOfTests").as_int64()));
  ::aip::testing::ReportVectors("wycheproof/" + file, count);
}

Result<PublicKey> P256FromGroup(const json::Value& group) {
  auto x = Fixed32(Hex(Str(group.at("publicKey"), "wx")));
  auto y = Fixed32(Hex(Str(group.at("publicKey"), "wy")));
  if (!x || !y) return InvalidArgumentError("coordinate too long");
  return PublicKey::P256FromCoordinates(*x, *y);
}

TEST(RsaTest, PassesWycheproofPkcs1) {
  RunSignatureFile(
      "rsa_signature_2048_sha256_test.json",
      [](const json::Value& g) {
        return PublicKey::RsaFromComponents(Hex(Str(g.at("publicKey"), "modulus")), Hex(Str(g.at("publicKey"), "publicExponent")));
      },
      [](const PublicKey& k, ByteSpan m, ByteSpan s) { return k.VerifyRsaPkcs1Sha256(m, s); });
}

TEST(EcdsaTest, PassesWycheproofDer) {
  RunSignatureFile("ecdsa_secp256r1_sha256_test.json", P256FromGroup,
                   [](const PublicKey& k, ByteSpan m, ByteSpan s) { return k.VerifyEcdsaSha256Der(m, s); });
}

TEST(EcdsaTest, PassesWycheproofP1363) {
  RunSignatureFile("ecdsa_secp256r1_sha256_p1363_test.json", P256FromGroup,
                   [](const PublicKey& k, ByteSpan m, ByteSpan s) { return k.VerifyEcdsaSha256P1363(m, s); });
}

TEST(PublicKeyTest, RefusesWeakOrForeignKeys) {
  // A 1024-bit modulus, an even exponent, a point off the curve, and the wrong algorithm.
  Bytes n1024(128, 0xC3), e{0x01, 0x00, 0x01};
  EXPECT_FALSE(PublicKey::RsaFromComponents(n1024, e).ok());
  Bytes n2048(256, 0xC3);
  n2048.back() = 0xC5;
  EXPECT_FALSE(PublicKey::RsaFromComponents(n2048, Bytes{0x01, 0x00, 0x00}).ok());
  EXPECT_FALSE(PublicKey::P256FromCoordinates(Bytes(32, 1), Bytes(32, 2)).ok());
  EXPECT_FALSE(PublicKey::P256FromCoordinates(Bytes(31, 1), Bytes(32, 2)).ok());
  auto rsa = PublicKey::RsaFromComponents(n2048, e);
  ASSERT_THAT(rsa, IsOk());
  EXPECT_THAT(rsa->VerifyEcdsaSha256P1363(Bytes{1}, Bytes(64, 1)), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(ShaTest, MatchesKnownDigests) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha512(AsBytes("abc"))).substr(0, 32), "ddaf35a193617abacc417349ae204131");
  Sha256Hasher h;
  h.Update(AsBytes("a"));
  h.Update(AsBytes("bc"));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes("abc")));
}

TEST(SecretBytesTest, ComparesInConstantTimeAndCopiesDeeply) {
  SecretBytes a(AsBytes("key-material")), b(AsBytes("key-material")), c(AsBytes("key-materiaL"));
  EXPECT_TRUE(a.Equals(b));
  EXPECT_FALSE(a.Equals(c));
  EXPECT_FALSE(a.Equals(SecretBytes(AsBytes("key"))));
  SecretBytes moved = std::move(b);
  EXPECT_TRUE(moved.Equals(a));
}

TEST(RandomTest, IdentifierRandomNeverRepeatsItselfAcrossBufferRefills) {
  // 3,000 draws of 24 bytes cross the per-thread 1 KiB buffer many times: no draw repeats (two
  // equal 24-byte draws from a CSPRNG would mean bytes handed out twice) and none is all zero.
  std::set<std::string> seen;
  for (int i = 0; i < 3000; ++i) {
    std::array<std::uint8_t, 24> id{};
    FillIdentifierRandom(id);
    std::string hex = HexEncode(id);
    EXPECT_NE(hex, std::string(48, '0'));
    EXPECT_TRUE(seen.insert(hex).second) << "repeated at draw " << i;
  }
  std::array<std::uint8_t, 2500> big{};  // Larger than the buffer: filled across refills.
  FillIdentifierRandom(big);
  EXPECT_NE(std::count(big.begin(), big.end(), 0), static_cast<long>(big.size()));
}

}  // namespace
}  // namespace aip::crypto
