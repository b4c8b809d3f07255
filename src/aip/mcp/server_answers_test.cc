#include "aip/mcp/server_answers.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::StatusIs;

json::Object Result(std::string_view text) { return *json::ParseJsonObject(text); }

TEST(ServerAnswers, ReadsDiscoveryAndInitialize) {
  auto d = ReadDiscovery(Result(R"({"supportedVersions":["2026-07-28","2025-11-25"],"capabilities":{"tools":{}},
      "_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}})"));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->supported_versions.size(), 2u);
  EXPECT_TRUE(d->capabilities.contains("tools"));
  EXPECT_EQ(d->server_info.at("name"), "s");
  auto i = ReadInitialized(Result(R"({"protocolVersion":"2025-11-25","capabilities":{},"serverInfo":{"name":"s"}})"));
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->protocol_version, "2025-11-25");
}

TEST(ServerAnswers, RefusesAMemberTheClientUsesWithTheWrongShape) {
  EXPECT_THAT(ReadDiscovery(Result(R"({"supportedVersions":"2026-07-28"})")),
              StatusIs(ErrorCode::kInvalidArgument, "/supportedVersions: must be an array of strings"));
  EXPECT_THAT(ReadDiscovery(Result(R"({"supportedVersions":[],"_meta":{"io.modelcontextprotocol/serverInfo":"s"}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/_meta/io.modelcontextprotocol~1serverInfo: must be an object"));
  EXPECT_THAT(ReadInitialized(Result(R"({"capabilities":{}})")), StatusIs(ErrorCode::kInvalidArgument, "/protocolVersion: is required"));
  EXPECT_THAT(ReadInitialized(Result(R"({"protocolVersion":"2025-11-25","serverInfo":[]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/serverInfo: must be an object"));
}

TEST(ServerAnswers, PagesPointAtTheirItemsAndEndWithoutACursor) {
  json::Object first = Result(R"({"tools":[{"name":"a"}],"nextCursor":"c2"})");
  auto page = ReadPage(first, "tools");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items, &first.at("tools").get_array());
  EXPECT_EQ(page->next_cursor, "c2");
  EXPECT_EQ(ReadPage(Result(R"({"tools":[],"nextCursor":null})"), "tools")->next_cursor, "");
  EXPECT_THAT(ReadPage(Result(R"({"prompts":[]})"), "tools"), StatusIs(ErrorCode::kInvalidArgument, "/tools: is required"));
  EXPECT_THAT(ReadPage(Result(R"({"tools":{}})"), "tools"), StatusIs(ErrorCode::kInvalidArgument, "/tools: must be an array"));
  EXPECT_THAT(ReadPage(Result(R"({"tools":[],"nextCursor":7})"), "tools"),
              StatusIs(ErrorCode::kInvalidArgument, "/nextCursor: must be a string"));
  EXPECT_EQ(ErrorText(Result(R"({"code":-32601,"message":"Method not found"})")), "-32601: Method not found");
}

TEST(ServerAnswers, InputRequiredAndToolSchemas) {
  json::Object asks = Result(R"({"resultType":"input_required","inputRequests":{"q":{"method":"elicitation/create"}},"requestState":"s"})");
  auto input = ReadInputRequired(asks);
  ASSERT_TRUE(input.ok());
  ASSERT_TRUE(input->has_value());
  EXPECT_EQ((*input)->input_requests, &asks.at("inputRequests").get_object());
  EXPECT_EQ((*input)->request_state, "s");
  EXPECT_FALSE(ReadInputRequired(Result(R"({"resultType":"complete","content":[]})"))->has_value());
  EXPECT_FALSE(ReadInputRequired(Result(R"({"content":[]})"))->has_value());
  EXPECT_THAT(ReadInputRequired(Result(R"({"resultType":"input_required","inputRequests":[]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/inputRequests: must be an object"));
  EXPECT_THAT(ReadInputRequired(Result(R"({"resultType":"input_required","inputRequests":{},"requestState":1})")),
              StatusIs(ErrorCode::kInvalidArgument, "/requestState: must be a string"));
  json::Object listed = Result(R"({"tools":[{"name":"a","inputSchema":{"type":"object"}},{"name":5,"inputSchema":{}},"x",
      {"name":"b"},{"name":"c","inputSchema":{}}]})");
  auto schemas = ToolSchemas(listed.at("tools").get_array());
  EXPECT_EQ(schemas.size(), 2u);  // a and c; the malformed items are left out.
  EXPECT_TRUE(schemas.contains("a") && schemas.contains("c"));
  EXPECT_EQ(ToolSchemas(listed.at("tools").get_array(), 1).size(), 1u);
}

}  // namespace
}  // namespace aip::mcp
