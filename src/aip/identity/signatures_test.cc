#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "aip/base/file_io.h"
#include "aip/identity/deactivation.h"
#include "aip/identity/directory_manifest.h"
#include "aip/identity/file_signature.h"
#include "aip/identity/identity.h"
#include "aip/identity/key_rotation.h"
#include "aip/testing/testing.h"

namespace aip::identity {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::ReadText;
using ::aip::testing::SharedTestdata;
using ::aip::testing::StatusIs;
namespace fs = std::filesystem;

TEST(FileSignatureTest, SignsAndVerifies) {
  Identity alice = Identity::Generate("alice", "", DefaultClock().Now());
  Identity bob = Identity::Generate("bob", "", DefaultClock().Now());
  auto sig = SignFileContent(alice, AsBytes("report v1"), "report.txt", DefaultClock().Now());
  ASSERT_THAT(sig, IsOk());
  std::string text = json::Serialize(*sig);
  auto info = VerifyFileSignature(text, AsBytes("report v1"), std::nullopt);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->signer, alice.did());
  EXPECT_THAT(VerifyFileSignature(text, AsBytes("report v1"), alice.did_aip()), IsOk());
  EXPECT_THAT(VerifyFileSignature(text, AsBytes("report v2"), std::nullopt), StatusIs(ErrorCode::kUnauthenticated, "does not match"));
  EXPECT_THAT(VerifyFileSignature(text, AsBytes("report v1"), bob.did()), StatusIs(ErrorCode::kUnauthenticated, "not by"));
  EXPECT_THAT(VerifyFileSignature(text.substr(0, text.size() - 5), AsBytes("report v1"), std::nullopt),
              StatusIs(ErrorCode::kInvalidArgument, "truncated"));
  // Re-attributing the signature to another signer, or changing its time, breaks it.
  json::Object forged = *sig;
  forged["signer"] = bob.did();
  EXPECT_THAT(VerifyFileSignature(json::Serialize(forged), AsBytes("report v1"), std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
  forged = *sig;
  forged["created"] = "2020-01-01T00:00:00Z";
  EXPECT_THAT(VerifyFileSignature(json::Serialize(forged), AsBytes("report v1"), std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
}

TEST(FileSignatureTest, SignaturesAreDomainSeparated) {
  // A signature made in the file domain over some bytes is not valid for the same bytes raw.
  Identity alice = Identity::Generate("alice", "", DefaultClock().Now());
  auto sig = alice.Sign(SigningDomain::kFileSignature, AsBytes("payload"));
  EXPECT_THAT(crypto::Verify(alice.public_key(), AsBytes("payload"), sig), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(crypto::Verify(alice.public_key(), DomainSeparated(SigningDomain::kDirectoryManifest, AsBytes("payload")), sig),
              StatusIs(ErrorCode::kUnauthenticated));
}

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aip-manifest-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    dir_ = root_ / "skill";
    fs::create_directories(dir_ / "sub");
    Write("a.txt", "alpha");
    Write("sub/b.txt", "beta");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, std::string_view content) { std::ofstream(dir_ / rel, std::ios::binary) << content; }
  fs::path root_, dir_;
  Identity signer_ = Identity::Generate("s", "", DefaultClock().Now());
};

TEST_F(ManifestTest, SignsAndVerifiesDirectory) {
  auto m = SignDirectory(signer_, dir_, {"*.log"}, DefaultClock().Now());
  ASSERT_THAT(m, IsOk());
  EXPECT_TRUE(m->at("files").as_object().contains("sub/b.txt"));
  std::string text = json::Serialize(*m);
  Write(".aip-manifest.json", text);
  Write("debug.log", "ignored");
  auto report = VerifyDirectory(dir_, text, signer_.did());
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->files, 2u);

  Write("a.txt", "ALPHA");
  fs::remove(dir_ / "sub/b.txt");
  Write("new.txt", "new");
  report = VerifyDirectory(dir_, text, std::nullopt);
  ASSERT_THAT(report, IsOk());
  EXPECT_THAT(report->problems, ::testing::UnorderedElementsAre("changed: a.txt", "missing: sub/b.txt", "unexpected: new.txt"));
}

TEST_F(ManifestTest, RejectsTamperedManifest) {
  auto m = SignDirectory(signer_, dir_, {}, DefaultClock().Now());
  ASSERT_THAT(m, IsOk());
  json::Object forged = *m;
  forged["files"].as_object()["a.txt"] = std::string(64, '0');
  EXPECT_THAT(VerifyDirectory(dir_, json::Serialize(forged), std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
  forged = *m;
  forged["ignore"].as_array().emplace_back("*.txt");  // Hide files from verification.
  EXPECT_THAT(VerifyDirectory(dir_, json::Serialize(forged), std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
}

TEST_F(ManifestTest, RefusesSymlinkEscapingTheDirectory) {
  std::ofstream(root_ / "outside.txt") << "secret";
  fs::create_symlink(root_ / "outside.txt", dir_ / "link.txt");
  EXPECT_THAT(SignDirectory(signer_, dir_, {}, DefaultClock().Now()),
              StatusIs(ErrorCode::kPermissionDenied, "link.txt: symlink escapes the directory"));
  fs::remove(dir_ / "link.txt");
  fs::create_symlink("a.txt", dir_ / "inside.txt");  // Inside: hashed as its target's content.
  auto m = SignDirectory(signer_, dir_, {}, DefaultClock().Now());
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->at("files").at("inside.txt"), m->at("files").at("a.txt"));
}

// The real manifest from the Python AIP project: its signature verifies against its own key.
TEST(LegacyManifestTest, VerifiesPythonAipManifest) {
  std::string text = ReadText(SharedTestdata("aip-compat/skill-manifest.aip-signature.json"));
  auto report = VerifyManifestSignature(text, std::nullopt);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->format, "python-aip");
  EXPECT_EQ(report->signer, "did:aip:c1965a89866ecbfaad49803e6ced70fb");
  EXPECT_EQ(report->files, 5u);
  EXPECT_THAT(VerifyManifestSignature(text, std::string("did:key:z6MktdQbdr47e2d34tt1sPkLgsPKv9C2VoMoR23srWFfRmGH")), IsOk());
  std::string tampered = text;
  tampered.replace(tampered.find("cd8b67ca"), 8, "00000000");
  EXPECT_THAT(VerifyManifestSignature(tampered, std::nullopt), StatusIs(ErrorCode::kUnauthenticated));
  ::aip::testing::ReportVectors("aip-compat/skill-manifest.aip-signature.json", 1);
}

// The identity signs standards' inputs only when they have their shape: it is no signing oracle
// for arbitrary bytes (which might be another protocol's message).
TEST(DeactivationTest, SignedByTheCurrentKeyAndTamperEvident) {
  Identity id = Identity::Generate("a", "", DefaultClock().Now());
  Deactivation d = Deactivation::Create(id, DefaultClock().Now());
  EXPECT_EQ(d.did, id.did());
  ASSERT_THAT(d.Verify(), IsOk());
  auto round = Deactivation::FromJson(json::Value(d.ToJson()));
  ASSERT_THAT(round.status(), IsOk());
  EXPECT_THAT(round->Verify(), IsOk());

  // Another key cannot end this identity, and a moved date breaks the signature.
  Identity other = Identity::Generate("b", "", DefaultClock().Now());
  Deactivation forged = d;
  forged.did = other.did();
  EXPECT_FALSE(forged.Verify().ok());
  Deactivation later = d;
  later.created += std::chrono::seconds(1);
  EXPECT_FALSE(later.Verify().ok());
  json::Object extra = d.ToJson();
  extra["note"] = "x";
  EXPECT_THAT(Deactivation::FromJson(json::Value(extra)).status(), StatusIs(ErrorCode::kInvalidArgument));
  json::Object rotation_type = d.ToJson();
  rotation_type["type"] = "aip-key-rotation";
  EXPECT_THAT(Deactivation::FromJson(json::Value(rotation_type)).status(), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(IdentitySigningTest, SignsStandardInputsOnlyInTheirShape) {
  Identity id = Identity::Generate("a", "", DefaultClock().Now());
  Bytes hash(64, 7);
  auto di = id.SignStandard(StandardInput::kDataIntegrityHash, hash);
  ASSERT_THAT(di, IsOk());
  EXPECT_THAT(crypto::Verify(id.public_key(), hash, *di), IsOk());
  EXPECT_THAT(id.SignStandard(StandardInput::kDataIntegrityHash, Bytes(63, 7)), StatusIs(ErrorCode::kInvalidArgument, "64 bytes"));
  std::string base = "\"@method\": POST\n\"@signature-params\": (\"@method\");created=1";
  EXPECT_THAT(id.SignStandard(StandardInput::kHttpSignatureBase, AsBytes(base)), IsOk());
  for (std::string bad : {std::string("aip/message/v1"), std::string("\"@method\": POST"),
                          std::string("GET / HTTP/1.1\n\"@signature-params\": ()"), std::string("")}) {
    EXPECT_THAT(id.SignStandard(StandardInput::kHttpSignatureBase, AsBytes(bad)), StatusIs(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(IdentitySigningTest, DerivedSecretsArePerIdentityAndPurpose) {
  Identity a = Identity::Generate("a", "", DefaultClock().Now());
  Identity b = Identity::Generate("b", "", DefaultClock().Now());
  EXPECT_TRUE(a.DeriveSecret("p1").Equals(a.DeriveSecret("p1")));
  EXPECT_FALSE(a.DeriveSecret("p1").Equals(a.DeriveSecret("p2")));
  EXPECT_FALSE(a.DeriveSecret("p1").Equals(b.DeriveSecret("p1")));
  EXPECT_EQ(a.DeriveSecret("p1").size(), 32u);
}

TEST(KeyRotationTest, ReadsBackAndNamesEveryBadMember) {
  auto a = crypto::Ed25519PrivateKey::Generate(), b = crypto::Ed25519PrivateKey::Generate();
  auto r = KeyRotation::Create(a, b, DefaultClock().Now());
  ASSERT_THAT(r, IsOk());
  auto back = KeyRotation::FromJson(json::Value(r->ToJson()));
  ASSERT_THAT(back, IsOk());
  EXPECT_THAT(back->Verify(), IsOk());
  auto bad = [&](std::string_view key, json::Value v) {
    json::Object o = r->ToJson();
    o[key] = std::move(v);
    return KeyRotation::FromJson(json::Value(std::move(o)));
  };
  EXPECT_THAT(bad("type", "other"), StatusIs(ErrorCode::kInvalidArgument, "/type: is not a key rotation record"));
  EXPECT_THAT(bad("next", 5), StatusIs(ErrorCode::kInvalidArgument, "/next: must be a string"));
  EXPECT_THAT(bad("next_signature", json::Value(std::string(200, 'A'))),
              StatusIs(ErrorCode::kInvalidArgument, "/next_signature: is longer than 128"));
}

}  // namespace
}  // namespace aip::identity
