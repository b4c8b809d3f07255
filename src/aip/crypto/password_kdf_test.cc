#include "aip/crypto/password_kdf.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::crypto {
namespace {

SecretBytes Pass(std::string_view text) { return SecretBytes(AsBytes(text)); }

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(DeriveKeyTest, IsDeterministicAndPassphraseSensitive) {
  Bytes salt(kArgon2SaltSize, 7);
  Argon2idParams p{2, 8 * 1024 * 1024};
  auto a = DeriveKey(Pass("correct horse"), salt, p);
  auto b = DeriveKey(Pass("correct horse"), salt, p);
  auto c = DeriveKey(Pass("correct horsf"), salt, p);
  ASSERT_THAT(a, IsOk());
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
}

TEST(DeriveKeyTest, RejectsHostileParameters) {
  Bytes salt(kArgon2SaltSize, 7);
  EXPECT_THAT(DeriveKey(Pass("x"), salt, {3, kMaxArgon2MemBytes * 2}), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DeriveKey(Pass("x"), salt, {1000, 8 * 1024 * 1024}), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(DeriveKey(Pass("x"), Bytes(3), {}), StatusIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace aip::crypto
