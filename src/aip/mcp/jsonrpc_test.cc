#include "aip/mcp/jsonrpc.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

int ErrorCodeOf(const std::variant<Message, ErrorResponse>& v) {
  return std::holds_alternative<ErrorResponse>(v) ? std::get<ErrorResponse>(v).error.code : 0;
}

TEST(ParseMessageTest, ClassifiesMessages) {
  auto req = ParseMessage(R"({"jsonrpc":"2.0","id":"a","method":"tools/list"})", 1024);
  ASSERT_TRUE(std::holds_alternative<Message>(req));
  EXPECT_TRUE(std::holds_alternative<Request>(std::get<Message>(req)));
  auto note = ParseMessage(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", 1024);
  EXPECT_TRUE(std::holds_alternative<Notification>(std::get<Message>(note)));
  auto res = ParseMessage(R"({"jsonrpc":"2.0","id":3,"result":{}})", 1024);
  EXPECT_TRUE(std::holds_alternative<Response>(std::get<Message>(res)));
}

TEST(ParseMessageTest, RejectsMalformedMessagesWithTheRightCode) {
  EXPECT_EQ(ErrorCodeOf(ParseMessage("{not json", 1024)), kParseError);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"id":2,"method":"x"})", 1024)), kParseError);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"([{"jsonrpc":"2.0","id":1,"method":"x"}])", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"({"jsonrpc":"1.0","id":1,"method":"x"})", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"({"jsonrpc":"2.0","id":null,"method":"x"})", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"({"jsonrpc":"2.0","id":{},"method":"x"})", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(R"("just a string")", 1024)), kInvalidRequest);
  EXPECT_EQ(ErrorCodeOf(ParseMessage(std::string(2000, ' ') + "{}", 1024)), kParseError);
  // The id is echoed when it can be read.
  auto bad = ParseMessage(R"({"jsonrpc":"1.0","id":7,"method":"x"})", 1024);
  EXPECT_EQ(std::get<ErrorResponse>(bad).id, json::Value(7));
}

std::string MessageOf(const std::variant<Message, ErrorResponse>& v) {
  return std::holds_alternative<ErrorResponse>(v) ? std::get<ErrorResponse>(v).error.message : "";
}

TEST(ParseMessageTest, RefusalsNameTheMemberByItsPointer) {
  EXPECT_EQ(MessageOf(ParseMessage(R"({"id":1,"method":"x"})", 1024)), "Invalid Request: /jsonrpc: is required");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"1.0","id":1,"method":"x"})", 1024)), "Invalid Request: /jsonrpc: must be \"2.0\"");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":3})", 1024)), "Invalid Request: /method: must be a string");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":""})", 1024)), "Invalid Request: /method: must not be empty");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":"x","params":null})", 1024)),
            "Invalid Request: /params: must be an object");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"method":")" + std::string(257, 'm') + "\"}", 4096)),
            "Invalid Request: /method: is longer than 256 bytes");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})", 1024)),
            "Invalid Request: /error/code: must be an integer in [-2147483648, 2147483647]");
  EXPECT_EQ(MessageOf(ParseMessage(R"({"jsonrpc":"2.0","id":1,"error":{"code":1}})", 1024)),
            "Invalid Request: /error/message: is required");
  // A well-formed error answer is a message, not a refusal.
  auto err = ParseMessage(R"({"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found","data":{"m":"x"}}})", 1024);
  ASSERT_TRUE(std::holds_alternative<Message>(err));
  const auto& e = std::get<ErrorResponse>(std::get<Message>(err));
  EXPECT_EQ(e.error.code, -32601);
  EXPECT_TRUE(e.error.data.has_value());
}

}  // namespace
}  // namespace aip::mcp
