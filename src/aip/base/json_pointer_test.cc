#include "aip/base/json_pointer.h"

#include <gtest/gtest.h>

namespace aip::json {
namespace {

TEST(JsonPointerTest, EscapesAndUnescapesTokens) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  EXPECT_EQ(UnescapePointerToken("a~1b~0c"), "a/b~c");
  EXPECT_EQ(UnescapePointerToken("~01"), "~1");  // RFC 6901: "~01" is "~1", not "/".
}

TEST(JsonPointerTest, FollowsObjectsAndArrays) {
  Value doc = *ParseJson(R"({"a":{"b/c":[10,{"~d":true}]},"":1})");
  EXPECT_EQ(AtPointer(doc, ""), &doc);
  EXPECT_EQ(*AtPointer(doc, "/a/b~1c/0"), Value(10));
  EXPECT_EQ(*AtPointer(doc, "/a/b~1c/1/~0d"), Value(true));
  EXPECT_EQ(*AtPointer(doc, "/"), Value(1));
  EXPECT_EQ(AtPointer(doc, "/a/b~1c/2"), nullptr);
  EXPECT_EQ(AtPointer(doc, "/a/b~1c/-1"), nullptr);
  EXPECT_EQ(AtPointer(doc, "/a/b~1c/01x"), nullptr);
  EXPECT_EQ(AtPointer(doc, "/a/missing"), nullptr);
  EXPECT_EQ(AtPointer(doc, "a"), nullptr);
}

}  // namespace
}  // namespace aip::json
