#include "aip/mcp/request_params.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::StatusIs;

json::Object Params(std::string_view text) { return *json::ParseJsonObject(text); }

TEST(RequestParams, NamedCallPointsAtItsArgumentsAndTakesNullAsNone) {
  json::Object p = Params(R"({"name":"list_tasks","arguments":{"project":"a"}})");
  auto call = ReadNamedCall(p);
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->name, "list_tasks");
  ASSERT_NE(call->arguments, nullptr);
  EXPECT_EQ(call->arguments, &p.at("arguments").get_object());
  json::Object none = Params(R"({"name":"t","arguments":null})");
  EXPECT_EQ(ReadNamedCall(none)->arguments, nullptr);
}

TEST(RequestParams, EachRefusalNamesTheMemberAndIsInvalidParams) {
  EXPECT_THAT(ReadNamedCall(Params(R"({"arguments":{}})")), StatusIs(ErrorCode::kInvalidArgument, "/name: is required"));
  EXPECT_THAT(ReadNamedCall(Params(R"({"name":7})")), StatusIs(ErrorCode::kInvalidArgument, "/name: must be a string"));
  EXPECT_THAT(ReadNamedCall(Params(R"({"name":"t","arguments":[1]})")),
              StatusIs(ErrorCode::kInvalidArgument, "/arguments: must be an object"));
  EXPECT_THAT(ReadNamedCall(Params(R"({"name":")" + std::string(kMaxNameBytes + 1, 'n') + "\"}")),
              StatusIs(ErrorCode::kInvalidArgument, "/name: is longer than 512 bytes"));
  EXPECT_THAT(ReadUri(Params(R"({"uri":{}})")), StatusIs(ErrorCode::kInvalidArgument, "/uri: must be a string"));
  EXPECT_THAT(ReadLogLevel(Params("{}")), StatusIs(ErrorCode::kInvalidArgument, "/level: is required"));
  EXPECT_THAT(ReadInitialize(Params(R"({"protocolVersion":"2025-11-25","capabilities":"all"})")),
              StatusIs(ErrorCode::kInvalidArgument, "/capabilities: must be an object"));
  RpcError e = InvalidParams(ReadNamedCall(Params("{}")).error());
  EXPECT_EQ(e.code, kInvalidParams);
  EXPECT_EQ(e.message, "Invalid params: /name: is required");
}

TEST(RequestParams, CompletionReadsEitherRefKindAndItsArgument) {
  auto prompt = ReadCompletion(Params(R"({"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"who","value":"Al"}})"));
  ASSERT_TRUE(prompt.ok());
  EXPECT_EQ(prompt->name, "greet");
  EXPECT_EQ(prompt->argument_name, "who");
  EXPECT_EQ(prompt->argument_value, "Al");
  auto resource = ReadCompletion(Params(R"({"ref":{"type":"ref/resource","uri":"file:///{path}"},"argument":{"name":"path"}})"));
  ASSERT_TRUE(resource.ok());
  EXPECT_EQ(resource->uri, "file:///{path}");
  EXPECT_EQ(resource->argument_value, "");
  EXPECT_THAT(ReadCompletion(Params(R"({"ref":{"type":"ref/tool","name":"x"},"argument":{"name":"a"}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/ref/type: must be \"ref/prompt\" or \"ref/resource\""));
  EXPECT_THAT(ReadCompletion(Params(R"({"ref":{"type":"ref/prompt","name":"x"}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/argument: is required"));
  EXPECT_THAT(ReadCompletion(Params(R"({"ref":{"type":"ref/prompt"},"argument":{"name":"a"}})")),
              StatusIs(ErrorCode::kInvalidArgument, "/ref/name: is required"));
}

TEST(RequestParams, CursorAndContinuation) {
  EXPECT_FALSE(ReadCursor(Params("{}"))->has_value());
  EXPECT_FALSE(ReadCursor(Params(R"({"cursor":null})"))->has_value());
  EXPECT_EQ(**ReadCursor(Params(R"({"cursor":"b2:1"})")), "b2:1");
  EXPECT_THAT(ReadCursor(Params(R"({"cursor":5})")), StatusIs(ErrorCode::kInvalidArgument, "/cursor: must be a string"));
  auto c = ReadContinuation(Params(R"({"requestState":"sealed","inputResponses":{"q":{}}})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->request_state, "sealed");
  ASSERT_NE(c->input_responses, nullptr);
  EXPECT_FALSE(ReadContinuation(Params(R"({"requestState":null})"))->request_state.has_value());
  EXPECT_THAT(ReadContinuation(Params(R"({"requestState":1})")), StatusIs(ErrorCode::kInvalidArgument, "/requestState: must be a string"));
}

}  // namespace
}  // namespace aip::mcp
