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

TEST(FieldReaderTest, ObjectMemberPointsIntoTheObjectReadAndTakesNullAsAbsent) {
  Object o = Parse(R"({"args":{"x":1},"none":null,"bad":[1]})");
  FieldReader r(o);
  const Object* args = nullptr;
  EXPECT_THAT(r.ObjectMember("args", args, Need::kRequired), IsOk());
  ASSERT_NE(args, nullptr);
  EXPECT_EQ(args, &o.at("args").get_object());
  const Object* none = nullptr;
  EXPECT_THAT(r.ObjectMember("none", none), IsOk());
  EXPECT_THAT(r.ObjectMember("absent", none), IsOk());
  EXPECT_EQ(none, nullptr);
  EXPECT_THAT(r.ObjectMember("none", none, Need::kRequired), StatusIs(ErrorCode::kInvalidArgument, "/none: is required"));
  EXPECT_THAT(r.ObjectMember("bad", none), StatusIs(ErrorCode::kInvalidArgument, "/bad: must be an object"));
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

TEST(FieldReaderTest, ReadsDurationsSizesAndNarrowIntegers) {
  Object o = Parse(R"({"t":"250ms","u":"30s","v":"2h","bad":"soon","zero":"0s","size":"256MiB","n":4096,"huge":"9999999GiB","pool":8})");
  FieldReader r(o);
  std::chrono::milliseconds d{0};
  EXPECT_THAT(r.Duration("t", d), IsOk());
  EXPECT_EQ(d, std::chrono::milliseconds(250));
  EXPECT_THAT(r.Duration("u", d), IsOk());
  EXPECT_EQ(d, std::chrono::seconds(30));
  EXPECT_THAT(r.Duration("v", d), IsOk());
  EXPECT_EQ(d, std::chrono::hours(2));
  EXPECT_THAT(r.Duration("bad", d), StatusIs(ErrorCode::kInvalidArgument, "/bad: must be a duration such as \"30s\""));
  EXPECT_THAT(r.Duration("zero", d), StatusIs(ErrorCode::kInvalidArgument, "/zero: must be a duration"));
  EXPECT_EQ(d, std::chrono::hours(2));  // Unchanged by a refused value.
  std::uint64_t bytes = 0;
  EXPECT_THAT(r.ByteSize("size", bytes), IsOk());
  EXPECT_EQ(bytes, 256u << 20);
  EXPECT_THAT(r.ByteSize("n", bytes), IsOk());
  EXPECT_EQ(bytes, 4096u);
  EXPECT_THAT(r.ByteSize("huge", bytes), StatusIs(ErrorCode::kInvalidArgument, "/huge: must be a size"));
  std::uint16_t pool = 1;
  EXPECT_THAT(r.IntAs("pool", pool, 1, 256), IsOk());
  EXPECT_EQ(pool, 8);
  EXPECT_THAT(r.IntAs("absent", pool, 1, 256), IsOk());
  EXPECT_EQ(pool, 8);
  EXPECT_THAT(r.IntAs("n", pool, 1, 256), StatusIs(ErrorCode::kInvalidArgument, "/n: must be an integer in [1, 256]"));
}

TEST(FieldReaderTest, ItemsAndDescribedErrors) {
  Object o = Parse(R"({"up":[{"name":"a"},{"name":2}],"flat":[1]})");
  auto describe = std::make_shared<const Describe>([](std::string_view pointer) { return "file.toml <" + std::string(pointer) + ">"; });
  FieldReader root(o, "", describe);
  auto items = root.Items("up");
  ASSERT_THAT(items, IsOk());
  ASSERT_EQ(items->size(), 2u);
  std::string name;
  EXPECT_THAT((*items)[0].String("name", name), IsOk());
  EXPECT_EQ(name, "a");
  EXPECT_THAT((*items)[1].String("name", name), StatusIs(ErrorCode::kInvalidArgument, "file.toml </up/1/name>: must be a string"));
  EXPECT_THAT(root.Items("flat"), StatusIs(ErrorCode::kInvalidArgument, "file.toml </flat/0>: must be an object"));
  EXPECT_THAT(root.Items("absent", Need::kRequired), StatusIs(ErrorCode::kInvalidArgument, "file.toml </absent>: is required"));
  EXPECT_THAT((*items)[1].FailHere("is odd"), StatusIs(ErrorCode::kInvalidArgument, "file.toml </up/1>: is odd"));
}

TEST(FieldReaderTest, UnknownFieldsSuggestTheNearestName) {
  Object o = Parse(R"({"target":["x"]})");
  FieldReader r(o);
  EXPECT_THAT(r.OnlyFields({"targets", "actions"}),
              StatusIs(ErrorCode::kInvalidArgument, "/target: unknown field (did you mean \"targets\"?)"));
  EXPECT_THAT(r.OnlyFields({"principals"}), StatusIs(ErrorCode::kInvalidArgument, "/target: unknown field"));
  EXPECT_EQ(NearestName("listne", {"listen", "public_url"}), "listen");
  EXPECT_EQ(NearestName("colour", {"listen", "public_url"}), "");
  EXPECT_EQ(NearestName("", {"a", "bcd"}), "a");
}

}  // namespace
}  // namespace aip::json
