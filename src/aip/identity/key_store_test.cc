#include "aip/identity/key_store.h"

#include <sys/stat.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "aip/base/file_io.h"
#include "aip/identity/did_key.h"
#include "aip/testing/testing.h"

namespace aip::identity {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;
namespace fs = std::filesystem;

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/aip-keystore-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    home_ = root_ / "home";
  }
  void TearDown() override { fs::remove_all(root_); }
  static unsigned Mode(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  }
  static PassphraseProvider Pass(std::string p) {
    return [p] { return Result<crypto::SecretBytes>(crypto::SecretBytes(AsBytes(p))); };
  }
  fs::path root_, home_;
  crypto::Argon2idParams fast_kdf_{1, 8 * 1024 * 1024};
};

TEST_F(KeyStoreTest, SavesWithPrivatePermissionsAndReloads) {
  KeyStore store(home_);
  Identity id = Identity::Generate("alice", "github/alice-agent", DefaultClock().Now());
  ASSERT_THAT(store.Save(id, std::nullopt, false), IsOk());
  EXPECT_EQ(Mode(home_), 0700u);
  EXPECT_EQ(Mode(store.identity_path()), 0600u);
  auto loaded = store.Load(nullptr);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->did(), id.did());
  EXPECT_EQ(loaded->name(), "alice");
  EXPECT_EQ(loaded->platform(), "github/alice-agent");
  // Only the temporary file name pattern is used; no stray temp files remain.
  std::size_t files = 0;
  for (auto& e : fs::directory_iterator(home_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(KeyStoreTest, NeverOverwritesWithoutForce) {
  KeyStore store(home_);
  Identity a = Identity::Generate("a", "", DefaultClock().Now());
  Identity b = Identity::Generate("b", "", DefaultClock().Now());
  ASSERT_THAT(store.Save(a, std::nullopt, false), IsOk());
  EXPECT_THAT(store.Save(b, std::nullopt, false), StatusIs(ErrorCode::kAlreadyExists, "--force"));
  EXPECT_EQ(store.Load(nullptr)->did(), a.did());
  ASSERT_THAT(store.Save(b, std::nullopt, true), IsOk());
  EXPECT_EQ(store.Load(nullptr)->did(), b.did());
}

TEST_F(KeyStoreTest, EncryptsWithPassphrase) {
  KeyStore store(home_);
  Identity id = Identity::Generate("enc", "", DefaultClock().Now());
  ASSERT_THAT(store.Save(id, crypto::SecretBytes(AsBytes("s3cret pass")), false, fast_kdf_), IsOk());
  EXPECT_TRUE(store.IdentityIsEncrypted());
  std::string text = *ReadFile(store.identity_path());
  EXPECT_EQ(text.find("\"seed\""), std::string::npos);
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kFailedPrecondition, "passphrase"));
  EXPECT_THAT(store.Load(Pass("wrong")), StatusIs(ErrorCode::kUnauthenticated, "wrong passphrase"));
  auto ok = store.Load(Pass("s3cret pass"));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->did(), id.did());
  EXPECT_EQ(ok->did(), id.did());
  EXPECT_EQ(ok->Sign(SigningDomain::kMessage, AsBytes("x")), id.Sign(SigningDomain::kMessage, AsBytes("x")));
}

TEST_F(KeyStoreTest, RejectsCorruptedAndForgedFiles) {
  KeyStore store(home_);
  Identity id = Identity::Generate("x", "", DefaultClock().Now());
  ASSERT_THAT(store.Save(id, std::nullopt, false), IsOk());
  std::string text = *ReadFile(store.identity_path());
  auto write = [&](std::string_view s) { ASSERT_THAT(WriteFileAtomic(store.identity_path(), s, 0600), IsOk()); };

  write(text.substr(0, text.size() / 2));
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument, "corrupted"));
  // Someone else's DID with our key.
  Identity other = Identity::Generate("y", "", DefaultClock().Now());
  std::string forged = text;
  forged.replace(forged.find(id.did()), id.did().size(), other.did());
  write(forged);
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument, "did does not match"));
  write("{\"did\":\"did:key:x\",\"private_key\":{\"seed\":\"AAAA\"}}");
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument));
  // Each member is read by pointer and bounded: a file may come from anywhere (aip import).
  write("{\"did\":7,\"private_key\":{\"seed\":\"AAAA\"}}");
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument, "/did: must be a string"));
  write("{\"did\":\"did:key:x\",\"private_key\":{\"seed\":5}}");
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument, "/private_key/seed: must be a string"));
  // An encrypted key asking for more Argon2id memory than any aip writes is refused before a
  // passphrase is asked for or memory taken.
  write("{\"did\":\"" + id.did() +
        "\",\"private_key\":{\"encryption\":\"argon2id-xchacha20poly1305\",\"ops_limit\":3,"
        "\"mem_limit\":1099511627776,\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"nonce\":\"AA\",\"ciphertext\":\"AA\"}}");
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kInvalidArgument, "/private_key/mem_limit: must be an integer in [1, 1073741824]"));
  fs::remove(store.identity_path());
  EXPECT_THAT(store.Load(nullptr), StatusIs(ErrorCode::kNotFound, "aip init"));
}

TEST_F(KeyStoreTest, RefusesAHomeOthersCanRead) {
  fs::create_directories(home_);
  ::chmod(home_.c_str(), 0755);
  KeyStore store(home_);
  EXPECT_THAT(store.Save(Identity::Generate("x", "", DefaultClock().Now()), std::nullopt, false),
              StatusIs(ErrorCode::kFailedPrecondition, "chmod 700"));
}

TEST_F(KeyStoreTest, RotationIsRecordedAndChained) {
  KeyStore store(home_);
  Identity id = Identity::Generate("r", "", DefaultClock().Now());
  std::string first = id.did();
  ASSERT_THAT(id.Rotate(crypto::Ed25519PrivateKey::Generate(), DefaultClock().Now()), IsOk());
  ASSERT_THAT(id.Rotate(crypto::Ed25519PrivateKey::Generate(), DefaultClock().Now()), IsOk());
  ASSERT_THAT(store.Save(id, std::nullopt, false), IsOk());
  auto loaded = store.Load(nullptr);
  ASSERT_THAT(loaded, IsOk());
  ASSERT_EQ(loaded->rotations().size(), 2u);
  EXPECT_EQ(loaded->rotations()[0].previous_did, first);
  EXPECT_THAT(VerifyRotationChain(loaded->rotations(), first, loaded->did()), IsOk());
  // A record whose countersignature is missing or swapped breaks the chain.
  auto rotations = loaded->rotations();
  std::swap(rotations[0].previous_signature, rotations[0].next_signature);
  EXPECT_THAT(VerifyRotationChain(rotations, first, loaded->did()), StatusIs(ErrorCode::kUnauthenticated));
  EXPECT_THAT(VerifyRotationChain(loaded->rotations(), loaded->did(), first), StatusIs(ErrorCode::kUnauthenticated));
}

TEST_F(KeyStoreTest, ImportsPythonAipCredentials) {
  // Seed A of aip-compat/vectors.txt in the Python project's credentials.json shape.
  std::string creds = R"({"did":"did:aip:56475aa75463474c0285df5dbf2bcab7",
    "public_key":"A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",
    "private_key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","platform":"github","username":"alice"})";
  auto id = ParseIdentity(creds, nullptr);
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->did_aip(), "did:aip:56475aa75463474c0285df5dbf2bcab7");
  EXPECT_EQ(id->did(), "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd");
  std::string wrong = creds;
  wrong.replace(wrong.find("56475aa7"), 8, "00000000");
  EXPECT_THAT(ParseIdentity(wrong, nullptr), StatusIs(ErrorCode::kInvalidArgument, "did does not match"));
}

TEST_F(KeyStoreTest, ReadsIdentityFromEnvironment) {
  ::setenv("AIP_PRIVATE_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
  ::setenv("AIP_DID", "did:aip:56475aa75463474c0285df5dbf2bcab7", 1);
  auto id = IdentityFromEnvironment();
  ASSERT_THAT(id, IsOk());
  ASSERT_TRUE(id->has_value());
  EXPECT_EQ((*id)->did_aip(), "did:aip:56475aa75463474c0285df5dbf2bcab7");
  ::setenv("AIP_DID", "did:aip:24f6ed6acbfe1009c030d7ca567c33ca", 1);
  EXPECT_THAT(IdentityFromEnvironment(), StatusIs(ErrorCode::kInvalidArgument, "AIP_DID does not match"));
  ::setenv("AIP_PRIVATE_KEY", "not-a-key", 1);
  EXPECT_THAT(IdentityFromEnvironment(), StatusIs(ErrorCode::kInvalidArgument));
  ::unsetenv("AIP_PRIVATE_KEY");
  ::unsetenv("AIP_DID");
  EXPECT_FALSE(IdentityFromEnvironment()->has_value());
}

TEST_F(KeyStoreTest, KeyringResolvesImportedDids) {
  KeyStore store(home_);
  auto key = crypto::Ed25519PrivateKey::Generate();
  ASSERT_THAT(store.AddToKeyring(key.public_key(), "bob"), IsOk());
  auto keyring = store.Keyring();
  ASSERT_THAT(keyring, IsOk());
  EXPECT_THAT(keyring->Resolve(DidKeyFromPublicKey(key.public_key())), IsOk());
}

}  // namespace
}  // namespace aip::identity
