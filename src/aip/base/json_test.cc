#include "aip/base/json.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::json {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(ParseJsonTest, ParsesAnMcpRequest) {
  auto v = ParseJson(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":[1,2.5,"s",null,true]}}})");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->at("params").at("name").as_string(), "x");
}

TEST(ParseJsonTest, RejectsDuplicateKeysWithOffset) {
  EXPECT_THAT(ParseJson(R"({"a":1,"a":2})"), StatusIs(ErrorCode::kInvalidArgument, "duplicate key \"a\""));
  // Nested, and spelled differently but equal after unescaping.
  EXPECT_THAT(ParseJson(R"({"p":{"arguments":1,"argum\u0065nts":2}})"),
              StatusIs(ErrorCode::kInvalidArgument, "duplicate key \"arguments\" at byte"));
}

TEST(ParseJsonTest, AllowsSameKeyInSiblingObjects) { EXPECT_THAT(ParseJson(R"([{"a":1},{"a":2},{"b":{"a":3}}])"), IsOk()); }

TEST(ParseJsonTest, RejectsDuplicateKeysInLargeObjects) {
  std::string s = "{";
  for (int i = 0; i < 1000; ++i) s += "\"k" + std::to_string(i) + "\":0,";
  EXPECT_THAT(ParseJson(s + "\"k999\":1}"), StatusIs(ErrorCode::kInvalidArgument, "duplicate key"));
  EXPECT_THAT(ParseJson(s + "\"k1000\":1}"), IsOk());
}

TEST(ParseJsonTest, RejectsInvalidUtf8) {
  EXPECT_THAT(ParseJson("\"\xff\""), StatusIs(ErrorCode::kInvalidArgument, "invalid UTF-8"));
  EXPECT_THAT(ParseJson("\"\xc0\xaf\""), StatusIs(ErrorCode::kInvalidArgument));          // Overlong.
  EXPECT_THAT(ParseJson("{\"\xed\xa0\x80\":1}"), StatusIs(ErrorCode::kInvalidArgument));  // Encoded surrogate.
}

TEST(ParseJsonTest, RejectsLoneSurrogates) {
  EXPECT_THAT(ParseJson(R"("\ud800")"), StatusIs(ErrorCode::kInvalidArgument, "surrogate"));
  EXPECT_THAT(ParseJson(R"("\udc00x")"), StatusIs(ErrorCode::kInvalidArgument, "surrogate"));
  EXPECT_THAT(ParseJson(R"("\ud83d\ude00")"), IsOk());
}

TEST(ParseJsonTest, RejectsNanAndInfinity) {
  EXPECT_THAT(ParseJson("NaN"), StatusIs(ErrorCode::kInvalidArgument, "NaN and Infinity"));
  EXPECT_THAT(ParseJson("[1,Infinity]"), StatusIs(ErrorCode::kInvalidArgument, "NaN and Infinity are not JSON at byte 3"));
  EXPECT_THAT(ParseJson("[-Infinity]"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseJson("1e400"), StatusIs(ErrorCode::kInvalidArgument, "number out of range"));
}

TEST(ParseJsonTest, EnforcesDepthLimit) {
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_THAT(ParseJson(ok), IsOk());
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_THAT(ParseJson(deep), StatusIs(ErrorCode::kInvalidArgument, "nesting too deep"));
}

TEST(ParseJsonTest, EnforcesSizeLimit) {
  ParseLimits limits;
  limits.max_bytes = 10;
  EXPECT_THAT(ParseJson("[1,2,3,4,5,6]", limits), StatusIs(ErrorCode::kResourceExhausted, "exceeds the limit of 10"));
}

TEST(ParseJsonTest, RejectsTrailingDataCommentsAndCommas) {
  EXPECT_THAT(ParseJson("{} {}"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseJson("[1,]"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseJson("[1]//x"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseJson(""), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseJson("\"a\tb\""), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(ParseJsonTest, ReadsDoublesCorrectlyRounded) {
  // 2^-1074 and the double nearest 0.1: values where sloppy parsers drift by an ulp.
  EXPECT_EQ(ParseJson("5e-324")->as_double(), 5e-324);
  EXPECT_EQ(ParseJson("0.1")->as_double(), 0.1);
  EXPECT_EQ(ParseJson("2.2250738585072011e-308")->as_double(), 2.2250738585072011e-308);
  EXPECT_EQ(ParseJson("9007199254740993.0")->as_double(), 9007199254740992.0);
}

TEST(OptionalStringTest, PeeksAtAStringMemberOnly) {
  auto obj = ParseJsonObject(R"({"method":"tools/call","n":5})");
  ASSERT_THAT(obj, IsOk());
  EXPECT_EQ(OptionalString(*obj, "method"), "tools/call");
  EXPECT_EQ(OptionalString(*obj, "n"), std::nullopt);
  EXPECT_EQ(OptionalString(*obj, "absent"), std::nullopt);
  EXPECT_THAT(ParseJsonObject("[]"), StatusIs(ErrorCode::kInvalidArgument, "expected an object"));
}

}  // namespace
}  // namespace aip::json
