#include "aip/base/toml.h"

#include <gtest/gtest.h>

namespace aip::toml {
namespace {

json::Object ParseOk(std::string_view text) {
  auto doc = Parse(text, "t.toml");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message);
  return doc.ok() ? doc->root : json::Object{};
}

std::string ErrorOf(std::string_view text) {
  auto doc = Parse(text, "t.toml");
  EXPECT_FALSE(doc.ok()) << "accepted: " << text;
  return doc.ok() ? "" : doc.error().message;
}

TEST(TomlTest, ReadsTheSubsetConfigurationsUse) {
  json::Object o = ParseOk(R"(# gateway
title = "aip"   # trailing comment
port = 8_080
hex = 0xff
neg = -17
ratio = 0.5
big = 1e3
on = true
"quoted key" = 'C:\path'
a.b.c = 1
list = [
  "x",  # comment inside
  "y",
]
inline = { pointer = "/project", op = "eq", value = ["a", 2] }
text = """
line one \
   continued
two"""
raw = '''no \escape'''

[server]
listen = "127.0.0.1:8080"

[[upstream]]
name = "weather"
[upstream.auth]
header = "X-Api-Key"

[[upstream]]
name = "calendar"
)");
  EXPECT_EQ(o["title"], "aip");
  EXPECT_EQ(o["port"].as_int64(), 8080);
  EXPECT_EQ(o["hex"].as_int64(), 255);
  EXPECT_EQ(o["neg"].as_int64(), -17);
  EXPECT_EQ(o["ratio"].as_double(), 0.5);
  EXPECT_EQ(o["big"].as_double(), 1000.0);
  EXPECT_EQ(o["on"], true);
  EXPECT_EQ(o["quoted key"], "C:\\path");
  EXPECT_EQ(o["a"].at("b").at("c").as_int64(), 1);
  EXPECT_EQ(o["list"].as_array().size(), 2u);
  EXPECT_EQ(o["inline"].at("value").as_array()[1].as_int64(), 2);
  EXPECT_EQ(o["text"], "line one continued\ntwo");
  EXPECT_EQ(o["raw"], "no \\escape");
  EXPECT_EQ(o["server"].at("listen"), "127.0.0.1:8080");
  const auto& ups = o["upstream"].as_array();
  ASSERT_EQ(ups.size(), 2u);
  EXPECT_EQ(ups[0].at("auth").at("header"), "X-Api-Key");
  EXPECT_EQ(ups[1].at("name"), "calendar");
}

TEST(TomlTest, RecordsTheLineOfEveryKey) {
  auto doc = Parse("a = 1\n\n[[rule]]\nid = \"x\"\n\n[[rule]]\nid = \"y\"\nwhen = [ { op = \"eq\" } ]\n", "p.toml");
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->LineOf("/a"), 1);
  EXPECT_EQ(doc->LineOf("/rule/1/id"), 7);
  EXPECT_EQ(doc->LineOf("/rule/1/when/0/op"), 8);
  EXPECT_EQ(doc->LineOf("/rule/1/nothing"), 6);
  EXPECT_EQ(doc->Where("/rule/0"), "p.toml:3");
}

TEST(TomlTest, DecodesEscapes) {
  json::Object o = ParseOk(R"(s = "tab\t q\" bs\\ \u00e9 \U0001F600")");
  EXPECT_EQ(o["s"], "tab\t q\" bs\\ \xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(TomlTest, RefusesRedefinitionsAsTomlRequires) {
  EXPECT_NE(ErrorOf("a = 1\na = 2\n").find("t.toml:2: duplicate key \"a\""), std::string::npos);
  EXPECT_NE(ErrorOf("[t]\n[t]\n").find("defined twice"), std::string::npos);
  EXPECT_NE(ErrorOf("a = 1\n[a]\n").find("t.toml:2"), std::string::npos);
  ErrorOf("a = {x = 1}\n[a]\n");
  ErrorOf("a = {x = 1}\na.y = 2\n");
  ErrorOf("a = [1]\n[[a]]\n");
  ErrorOf("[a]\nb.c = 1\n[a.b]\n");
  ErrorOf("[a.b]\nx = 1\n[a]\nb.y = 2\n");
  ErrorOf("[[a]]\n[a]\n");
  ErrorOf("\"a\" = 1\na = 2\n");  // Quoted and bare spellings are the same key.
}

TEST(TomlTest, RefusesMalformedInputWithTheLine) {
  EXPECT_NE(ErrorOf("a = 1\nb = \n").find("t.toml:2"), std::string::npos);
  ErrorOf("a = \"unterminated\n");
  ErrorOf("a = 'unterminated\n");
  ErrorOf("a = \"\"\"never closed\n");
  ErrorOf("a = \"bad \\q escape\"\n");
  ErrorOf("a = \"\\uD800\"\n");  // A surrogate is not a scalar value.
  ErrorOf("a = 1 b = 2\n");
  ErrorOf("a = 01\n");
  ErrorOf("a = 1__0\n");
  ErrorOf("a = _1\n");
  ErrorOf("a = 1_e5\n");
  ErrorOf("a = -0x10\n");
  ErrorOf("a = 9223372036854775808\n");
  ErrorOf("a = 1.\n");
  ErrorOf("a = .5\n");
  ErrorOf("a = [1, 2\n");
  ErrorOf("a = {x = 1,}\n");
  ErrorOf("a = {x = 1\n, y = 2}\n");
  ErrorOf("[a\n");
  ErrorOf("[[a]\n");
  ErrorOf("= 1\n");
  ErrorOf("a = truex\n");
  ErrorOf(std::string("a = \"\x01\"\n"));
  ErrorOf(std::string("a = \"\xc3\"\n"));    // Truncated UTF-8.
  ErrorOf(std::string("# \xed\xa0\x80\n"));  // Encoded surrogate, even in a comment.
  ErrorOf("a = 1\r");
}

TEST(TomlTest, RefusesWhatItDoesNotSupportByName) {
  EXPECT_NE(ErrorOf("d = 1979-05-27\n").find("dates"), std::string::npos);
  EXPECT_NE(ErrorOf("d = 07:32:00\n").find("dates"), std::string::npos);
  EXPECT_NE(ErrorOf("d = inf\n").find("inf"), std::string::npos);
  EXPECT_NE(ErrorOf("d = -nan\n").find("nan"), std::string::npos);
}

TEST(TomlTest, IntegerLimitsAreExact) {
  json::Object o = ParseOk("min = -9223372036854775808\nmax = 9223372036854775807\nb = 0b101\no = 0o17\n");
  EXPECT_EQ(o["min"].as_int64(), INT64_MIN);
  EXPECT_EQ(o["max"].as_int64(), INT64_MAX);
  EXPECT_EQ(o["b"].as_int64(), 5);
  EXPECT_EQ(o["o"].as_int64(), 15);
}

TEST(TomlTest, BoundsSizeAndNesting) {
  Limits small;
  small.max_bytes = 8;
  EXPECT_FALSE(Parse("a = \"0123456789\"\n", "t", small).ok());
  std::string deep = "a = " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_NE(ErrorOf(deep).find("deeply"), std::string::npos);
  std::string deep_inline = "a = ";
  for (int i = 0; i < 100; ++i) deep_inline += "{b = ";
  deep_inline += "1" + std::string(100, '}') + "\n";
  EXPECT_NE(ErrorOf(deep_inline).find("deeply"), std::string::npos);
  std::string deep_key = "a";
  for (int i = 0; i < 100; ++i) deep_key += ".a";
  EXPECT_NE(ErrorOf(deep_key + " = 1\n").find("deeply"), std::string::npos);
}

TEST(TomlTest, ErrorsOfAReaderNameFileLineAndDottedField) {
  auto doc = Parse("[gateway]\nlisten = 8080\n\n[[upstream]]\nname = \"a\"\n\n[[upstream]]\ntimeout = 5\n", "gw.toml");
  ASSERT_TRUE(doc.ok());
  json::FieldReader root = Reader(*doc);
  auto gateway = root.Nested("gateway");
  ASSERT_TRUE(gateway.ok());
  std::string listen;
  EXPECT_EQ((*gateway)->String("listen", listen).error().message, "gw.toml:2: gateway.listen: must be a string");
  auto upstreams = root.Items("upstream");
  ASSERT_TRUE(upstreams.ok());
  std::string timeout;
  EXPECT_EQ((*upstreams)[1].String("timeout", timeout).error().message, "gw.toml:8: upstream[1].timeout: must be a string");
  EXPECT_EQ(DottedName("/a~1b/0/c~0d"), "a/b[0].c~d");
  EXPECT_EQ(DottedName(""), "");
}

}  // namespace
}  // namespace aip::toml
