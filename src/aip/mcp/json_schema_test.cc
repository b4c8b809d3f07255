#include "aip/mcp/json_schema.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

JsonSchema Compile(std::string_view text) {
  auto s = JsonSchema::Compile(*json::ParseJson(text));
  EXPECT_THAT(s, IsOk());
  return *s;
}

TEST(JsonSchemaTest, ValidatesTheToolSubset) {
  JsonSchema s = Compile(R"({"type":"object","properties":{
      "project":{"type":"string","pattern":"^[a-z-]+$","maxLength":10},
      "count":{"type":"integer","minimum":1,"maximum":5},
      "mode":{"enum":["fast","slow"]},
      "tags":{"type":"array","items":{"type":"string"},"maxItems":2},
      "fixed":{"const":42}},
    "required":["project"],"additionalProperties":false})");
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"abc","count":3,"mode":"fast","tags":["x"],"fixed":42.0})")), IsOk());
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({})")), StatusIs(ErrorCode::kInvalidArgument, "missing required property \"project\""));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"ABC"})")), StatusIs(ErrorCode::kInvalidArgument, "project: does not match"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"abcdefghijk"})")), StatusIs(ErrorCode::kInvalidArgument, "at most 10"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","count":"3"})")),
              StatusIs(ErrorCode::kInvalidArgument, "count: must be of type"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","count":2.5})")), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","count":9})")), StatusIs(ErrorCode::kInvalidArgument, "<= 5"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","mode":"Fast"})")), StatusIs(ErrorCode::kInvalidArgument, "one of"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","tags":["x",1]})")), StatusIs(ErrorCode::kInvalidArgument, "tags/1"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","extra":1})")), StatusIs(ErrorCode::kInvalidArgument, "unexpected property"));
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"project":"a","fixed":41})")), StatusIs(ErrorCode::kInvalidArgument, "must equal"));
}

TEST(JsonSchemaTest, FollowsLocalRefsAndNeverRemoteOnes) {
  JsonSchema s = Compile(R"({"$defs":{"p":{"type":"string"}},"type":"object","properties":{"a":{"$ref":"#/$defs/p"}}})");
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"a":"x"})")), IsOk());
  EXPECT_THAT(s.Validate(*json::ParseJson(R"({"a":1})")), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(JsonSchema::Compile(*json::ParseJson(R"({"$ref":"https://evil.example/schema.json"})")),
              StatusIs(ErrorCode::kInvalidArgument, "never fetched"));
  // A self-referencing schema terminates at the depth bound instead of recursing forever.
  JsonSchema loop = Compile(R"({"$defs":{"x":{"$ref":"#/$defs/x"}},"$ref":"#/$defs/x"})");
  EXPECT_THAT(loop.Validate(json::Value(1)), StatusIs(ErrorCode::kInvalidArgument, "nesting limit"));
}

TEST(JsonSchemaTest, RejectsBadPatterns) {
  EXPECT_THAT(JsonSchema::Compile(*json::ParseJson(R"({"pattern":"(unclosed"})")), StatusIs(ErrorCode::kInvalidArgument));
}

TEST(JsonSchemaTest, CombinatorsAndTypeLists) {
  JsonSchema s = Compile(R"({"anyOf":[{"type":"string"},{"type":"integer"}],"not_a_keyword":1})");
  EXPECT_THAT(s.Validate(json::Value("x")), IsOk());
  EXPECT_THAT(s.Validate(json::Value(true)), StatusIs(ErrorCode::kInvalidArgument));
  JsonSchema one = Compile(R"({"oneOf":[{"type":"number"},{"type":"integer"}]})");
  EXPECT_THAT(one.Validate(json::Value(1)), StatusIs(ErrorCode::kInvalidArgument));  // Matches both.
  EXPECT_THAT(one.Validate(json::Value(1.5)), IsOk());
  JsonSchema types = Compile(R"({"type":["string","null"]})");
  EXPECT_THAT(types.Validate(json::Value(nullptr)), IsOk());
}

}  // namespace
}  // namespace aip::mcp
