#include "aip/base/encoding.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(HexTest, RoundTrips) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), b);
}

TEST(HexTest, RejectsOddLengthAndBadDigits) {
  EXPECT_THAT(HexDecode("abc"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(HexDecode("zz"), StatusIs(ErrorCode::kInvalidArgument));
}

// RFC 4648 §10 test vectors.
TEST(Base64Test, MatchesRfc4648Vectors) {
  const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* std_out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* url_out[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(AsBytes(in[i])), std_out[i]);
    EXPECT_EQ(Base64UrlEncode(AsBytes(in[i])), url_out[i]);
    EXPECT_EQ(ToString(*Base64Decode(std_out[i])), in[i]);
    EXPECT_EQ(ToString(*Base64UrlDecode(url_out[i])), in[i]);
  }
}

TEST(Base64Test, RejectsNonCanonicalSpellings) {
  EXPECT_THAT(Base64Decode("Zh=="), StatusIs(ErrorCode::kInvalidArgument, "trailing bits"));
  EXPECT_THAT(Base64UrlDecode("Zh"), StatusIs(ErrorCode::kInvalidArgument, "trailing bits"));
  EXPECT_THAT(Base64Decode("Zg="), StatusIs(ErrorCode::kInvalidArgument));      // Bad padding.
  EXPECT_THAT(Base64Decode("Zg"), StatusIs(ErrorCode::kInvalidArgument));       // Missing padding.
  EXPECT_THAT(Base64UrlDecode("Zg=="), StatusIs(ErrorCode::kInvalidArgument));  // Padding in url.
  EXPECT_THAT(Base64UrlDecode("Z"), StatusIs(ErrorCode::kInvalidArgument));     // Impossible length.
  EXPECT_THAT(Base64Decode("Zm9v\n"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("Zm+v"), StatusIs(ErrorCode::kInvalidArgument));  // Std alphabet.
  EXPECT_THAT(Base64Decode("Zm-v"), StatusIs(ErrorCode::kInvalidArgument));     // Url alphabet.
  EXPECT_THAT(Base64Decode("=Zm9"), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(Base58Test, EncodesKnownValues) {
  EXPECT_EQ(Base58Encode(AsBytes("Hello World!")), "2NEpo7TZRRrLZSi2U");
  EXPECT_EQ(Base58Encode(Bytes{0, 0, 1}), "112");
  EXPECT_EQ(Base58Encode(Bytes{}), "");
  EXPECT_EQ(ToString(*Base58Decode("2NEpo7TZRRrLZSi2U")), "Hello World!");
  EXPECT_EQ(*Base58Decode("112"), (Bytes{0, 0, 1}));
}

TEST(Base58Test, RejectsCharactersOutsideAlphabet) {
  EXPECT_THAT(Base58Decode("0OIl"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Base58Decode(std::string(kMaxBase58Chars + 1, '2')), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(Base58Test, RoundTripsRandomishInputs) {
  for (int len = 0; len < 80; ++len) {
    Bytes b(static_cast<std::size_t>(len));
    for (int i = 0; i < len; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((i * 97 + len * 31) % 256);
    if (len > 2) b[0] = 0;
    auto back = Base58Decode(Base58Encode(b));
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(*back, b) << len;
  }
}

TEST(MultibaseTest, AcceptsBase58AndBase64Url) {
  EXPECT_EQ(MultibaseEncode(AsBytes("hi")), "z" + Base58Encode(AsBytes("hi")));
  EXPECT_EQ(ToString(*MultibaseDecode("uaGk")), "hi");
  EXPECT_THAT(MultibaseDecode("fabcd"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(MultibaseDecode(""), StatusIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace aip
