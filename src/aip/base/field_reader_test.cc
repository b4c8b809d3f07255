#include "aip/base/field_reader.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::json {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

Object Parse(std::string_view text) { return *ParseJsonObject(text); }

TEST(FieldReaderTest, ReadsTypedMembersWithinBounds) {
  Object o = Parse(R"({"name":"tasks","timeout":30,"min":0.5,"on":true,"tags":["a","b"]})");
  FieldReader r(o);
  std::string name;
  std::int64_t timeout = 0;
  double min = 0;
  bool on = false;
  std::vector<std::string> tags;
  EXPECT_THAT(r.String("name", name, Need::kRequired), IsOk());
  EXPECT_THAT(r.Int("timeout", timeout, 1, 600), IsOk());
  EXPECT_THAT(r.Number("min", min, 0, 1), IsOk());
  EXPECT_THAT(r.Bool("on", on), IsOk());
  EXPECT_THAT(r.Strings("tags", tags), IsOk());
  EXPECT_EQ(name, "tasks");
  EXPECT_EQ(timeout, 30);
  EXPECT_EQ(min, 0.5);
  EXPECT_TRUE(on);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b"}));
  std::string absent = "default";
  EXPECT_THAT(r.String("absent", absent), IsOk());
  EXPECT_EQ(absent, "default");  // Optional and absent: unchanged.
  EXPECT_THAT(r.OnlyFields({"name", "timeout", "min", "on", "tags"}), IsOk());
}

TEST(FieldReaderTest, EveryErrorNamesTheMemberByItsPointer) {
  Object o = Parse(R"({"up":{"a/b":{"timeout":9000,"tags":["x",1],"n":"1","s":"toolong"}},"extra~":1})");
  FieldReader root(o);
  auto up = root.Nested("up", Need::kRequired);
  ASSERT_THAT(up, IsOk());
  auto inner = (*up)->Nested("a/b");
  ASSERT_THAT(inner, IsOk());
  FieldReader& r = **inner;
  EXPECT_EQ(r.path(), "/up/a~1b");
  std::int64_t t = 0;
  EXPECT_THAT(r.Int("timeout", t, 1, 600), StatusIs(ErrorCode::kInvalidArgument, "/up/a~1b/timeout: must be an integer in [1, 600]"));
  std::vector<std::string> tags;
  EXPECT_THAT(r.Strings("tags", tags), StatusIs(ErrorCode::kInvalidArgument, "/up/a~1b/tags/1: must be a string"));
  double n = 0;
  EXPECT_THAT(r.Number("n", n, 0, 1), StatusIs(ErrorCode::kInvalidArgument, "/up/a~1b/n: must be a number"));
  std::string s;
  EXPECT_THAT(r.String("s", s, Need::kOptional, 3), StatusIs(ErrorCode::kInvalidArgument, "/up/a~1b/s: is longer than 3 bytes"));
  EXPECT_THAT(r.String("missing", s, Need::kRequired), StatusIs(ErrorCode::kInvalidArgument, "/up/a~1b/missing: is required"));
  EXPECT_THAT(root.OnlyFields({"up"}), StatusIs(ErrorCode::kInvalidArgument, "/extra~0: unknown field"));
  EXPECT_THAT(root.Nested("extra~"), StatusIs(ErrorCode::kInvalidArgument, "/extra~0: must be an object"));
  EXPECT_EQ(t, 0);  // A refused value is never written.
}

TEST(FieldReaderTest, RefusesWhatIsNotWhole) {
  Object o = Parse(R"({"big":18446744073709551615,"neg":-1,"frac":1.5,"many":["a","b","c"]})");
  FieldReader r(o);
  std::int64_t v = 0;
  EXPECT_FALSE(r.Int("big", v, 0, 100).ok());
  EXPECT_FALSE(r.Int("neg", v, 0, 100).ok());
  EXPECT_FALSE(r.Int("frac", v, 0, 100).ok());
  std::vector<std::string> many;
  EXPECT_THAT(r.Strings("many", many, Need::kOptional, 2), StatusIs(ErrorCode::kInvalidArgument, "/many: has more than 2 items"));
}

}  // namespace
}  // namespace aip::json
