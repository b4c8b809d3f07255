// McpServer through both eras, with every result validated against the official JSON Schema of
// the protocol revision it claims (../shared/reference/mcp-spec/schema/<rev>/schema.json).
#include "aip/mcp/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "aip/mcp/json_schema.h"
#include "aip/mcp/test_server.h"
#include "aip/testing/testing.h"

namespace aip::mcp {
namespace {

using ::aip::testing::IsOk;
using testing::MakeTestServer;
using testing::ModernMeta;

const JsonSchema& SchemaFor(const std::string& rev) {
  static std::map<std::string, JsonSchema> cache;
  auto it = cache.find(rev);
  if (it == cache.end()) {
    auto doc = ::aip::testing::ReadJson(std::filesystem::path("../shared/reference/mcp-spec/schema") / rev / "schema.json");
    auto compiled = JsonSchema::Compile(doc);
    EXPECT_THAT(compiled, IsOk());
    it = cache.emplace(rev, *compiled).first;
  }
  return it->second;
}

std::string Defs(const std::string& rev) { return rev == "2025-06-18" ? "#/definitions/" : "#/$defs/"; }

class ServerTest : public ::testing::Test {
 protected:
  json::Object Call(std::string method, json::Object params, bool modern) {
    if (modern) {
      json::Object meta = ModernMeta();
      if (const json::Value* m = params.if_contains("_meta")) {
        for (const auto& kv : m->as_object()) meta[kv.key()] = kv.value();
      }
      params["_meta"] = meta;
    }
    Request r{json::Value(next_id_++), std::move(method), std::move(params), true};
    CallContext ctx;
    ctx.session = &session_;
    ctx.notify = [this](json::Object n) { notes_.push_back(std::move(n)); };
    auto out = server_->Handle(Message(r), ctx);
    EXPECT_TRUE(out.has_value());
    return out.value_or(json::Object{});
  }
  // Expect the result validates as `type` in revision `rev` and return it.
  json::Object Valid(const json::Object& response, const std::string& rev, const std::string& type) {
    const json::Value* result = response.if_contains("result");
    EXPECT_NE(result, nullptr) << json::Serialize(response);
    if (result == nullptr) return {};
    EXPECT_THAT(SchemaFor(rev).ValidateAgainst(Defs(rev) + type, *result), IsOk()) << type << " " << json::Serialize(*result);
    std::string envelope = rev == "2025-06-18" ? "JSONRPCResponse" : "JSONRPCResultResponse";
    EXPECT_THAT(SchemaFor(rev).ValidateAgainst(Defs(rev) + envelope, json::Value(response)), IsOk());
    ++validated_;
    return result->as_object();
  }
  int ErrorCode(const json::Object& response) {
    const json::Value* e = response.if_contains("error");
    return e == nullptr ? 0 : static_cast<int>(e->at("code").as_int64());
  }
  void Initialize(const std::string& version) {
    auto r = Call(
        "initialize",
        json::Object{
            {"protocolVersion", version}, {"capabilities", json::Object{}}, {"clientInfo", json::Object{{"name", "t"}, {"version", "1"}}}},
        false);
    Valid(r, version, "InitializeResult");
  }

  std::unique_ptr<McpServer> server_ = MakeTestServer();
  Session session_;
  std::vector<json::Object> notes_;
  std::int64_t next_id_ = 1;
  int validated_ = 0;
};

TEST_F(ServerTest, LegacyErasValidateAgainstTheirSchemas) {
  for (std::string rev : {"2025-06-18", "2025-11-25"}) {
    SCOPED_TRACE(rev);
    session_ = Session{};
    Initialize(rev);
    EXPECT_EQ(session_.protocol_version, rev);
    auto tools = Valid(Call("tools/list", {}, false), rev, "ListToolsResult");
    ASSERT_EQ(tools.at("tools").as_array().size(), 2u);  // Page size 2.
    auto page2 = Valid(Call("tools/list", json::Object{{"cursor", tools.at("nextCursor")}}, false), rev, "ListToolsResult");
    EXPECT_EQ(page2.at("tools").as_array().size(), 1u);
    EXPECT_FALSE(page2.contains("nextCursor"));
    auto echo = Valid(Call("tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "hi"}}}}, false), rev,
                      "CallToolResult");
    EXPECT_EQ(echo.at("content").at(0).at("text"), "hi");
    Valid(Call("resources/list", {}, false), rev, "ListResourcesResult");
    Valid(Call("resources/templates/list", {}, false), rev, "ListResourceTemplatesResult");
    auto read = Valid(Call("resources/read", json::Object{{"uri", "item://g/7"}}, false), rev, "ReadResourceResult");
    EXPECT_EQ(read.at("contents").at(0).at("text"), "item 7");
    Valid(Call("prompts/list", {}, false), rev, "ListPromptsResult");
    Valid(Call("prompts/get", json::Object{{"name", "greet"}, {"arguments", json::Object{{"name", "Bob"}}}}, false), rev,
          "GetPromptResult");
    auto comp = Valid(Call("completion/complete",
                           json::Object{{"ref", json::Object{{"type", "ref/resource"}, {"uri", "item://{group}/{id}"}}},
                                        {"argument", json::Object{{"name", "group"}, {"value", "g"}}}},
                           false),
                      rev, "CompleteResult");
    EXPECT_EQ(comp.at("completion").at("values").as_array().size(), 2u);
    Valid(Call("ping", {}, false), rev, "EmptyResult");
    EXPECT_EQ(ErrorCode(Call("resources/read", json::Object{{"uri", "item://nope/1"}}, false)), -32002);
  }
  ::aip::testing::ReportVectors("mcp schema validations (legacy eras)", static_cast<std::size_t>(validated_));
}

TEST_F(ServerTest, ModernEraIsStatelessAndValidates) {
  const std::string rev = "2026-07-28";
  auto discover = Valid(Call("server/discover", {}, true), rev, "DiscoverResult");
  EXPECT_EQ(discover.at("resultType"), "complete");
  auto tools = Valid(Call("tools/list", {}, true), rev, "ListToolsResult");
  EXPECT_TRUE(tools.contains("ttlMs"));
  EXPECT_EQ(tools.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name"), "test-server");
  Valid(Call("tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "hi"}}}}, true), rev, "CallToolResult");
  Valid(Call("resources/list", {}, true), rev, "ListResourcesResult");
  Valid(Call("resources/templates/list", {}, true), rev, "ListResourceTemplatesResult");
  Valid(Call("resources/read", json::Object{{"uri", "mem://readme"}}, true), rev, "ReadResourceResult");
  Valid(Call("prompts/list", {}, true), rev, "ListPromptsResult");
  Valid(Call("prompts/get", json::Object{{"name", "greet"}, {"arguments", json::Object{{"name", "A"}}}}, true), rev, "GetPromptResult");
  Valid(Call("completion/complete",
             json::Object{{"ref", json::Object{{"type", "ref/prompt"}, {"name", "greet"}}},
                          {"argument", json::Object{{"name", "name"}, {"value", "A"}}}},
             true),
        rev, "CompleteResult");
  // The validator is not vacuous: a 2026 list result without its required members fails.
  EXPECT_FALSE(SchemaFor(rev).ValidateAgainst("#/$defs/ListToolsResult", *json::ParseJson(R"({"tools":[]})")).ok());
  EXPECT_FALSE(SchemaFor(rev)
                   .ValidateAgainst("#/$defs/CallToolResult", *json::ParseJson(R"({"resultType":"complete","content":[{"type":"bogus"}]})"))
                   .ok());
  // No session was ever created.
  EXPECT_TRUE(session_.protocol_version.empty());
  // 2026 error codes.
  EXPECT_EQ(ErrorCode(Call("resources/read", json::Object{{"uri", "item://nope/1"}}, true)), kInvalidParams);
  json::Object bad_version{{"_meta", json::Object{{"io.modelcontextprotocol/protocolVersion", "2099-01-01"},
                                                  {"io.modelcontextprotocol/clientCapabilities", json::Object{}}}}};
  auto unsupported = Call("tools/list", bad_version, false);
  EXPECT_EQ(ErrorCode(unsupported), kUnsupportedProtocolVersion);
  EXPECT_THAT(SchemaFor(rev).ValidateAgainst("#/$defs/UnsupportedProtocolVersionError", json::Value(unsupported)), IsOk());
  json::Object no_caps{{"_meta", json::Object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}};
  EXPECT_EQ(ErrorCode(Call("tools/list", no_caps, false)), kInvalidParams);
  EXPECT_EQ(ErrorCode(Call("initialize", json::Object{{"protocolVersion", "2026-07-28"}}, true)), kInvalidRequest);
  ::aip::testing::ReportVectors("mcp schema validations (2026-07-28)", static_cast<std::size_t>(validated_));
}

TEST_F(ServerTest, ToolErrorsAreResultsAndUnknownsAreProtocolErrors) {
  Initialize("2025-11-25");
  auto bad_args = Valid(Call("tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", 5}}}}, false),
                        "2025-11-25", "CallToolResult");
  EXPECT_EQ(bad_args.at("isError"), true);
  EXPECT_NE(std::string(bad_args.at("content").at(0).at("text").as_string()).find("message: must be of type"), std::string::npos);
  auto missing = Call("tools/call", json::Object{{"name", "echo"}}, false);
  EXPECT_EQ(missing.at("result").at("isError"), true);
  auto failing = Call("tools/call", json::Object{{"name", "fail"}}, false);
  EXPECT_EQ(failing.at("result").at("isError"), true);
  EXPECT_EQ(ErrorCode(Call("tools/call", json::Object{{"name", "nope"}}, false)), kInvalidParams);
  EXPECT_EQ(ErrorCode(Call("tools/call", json::Object{{"name", "echo"}, {"arguments", json::Array{}}}, false)), kInvalidParams);
  EXPECT_EQ(ErrorCode(Call("no/such/method", {}, false)), kMethodNotFound);
  EXPECT_EQ(ErrorCode(Call("tools/list", json::Object{{"cursor", "garbage"}}, false)), kInvalidParams);
  EXPECT_EQ(ErrorCode(Call("prompts/get", json::Object{{"name", "greet"}}, false)), kInvalidParams);  // Missing arg.
  EXPECT_EQ(ErrorCode(Call("logging/setLevel", json::Object{{"level", "loud"}}, false)), kInvalidParams);
}

TEST_F(ServerTest, ProgressAndLoggingFollowTheRequest) {
  Initialize("2025-11-25");
  EXPECT_EQ(ErrorCode(Call("logging/setLevel", json::Object{{"level", "debug"}}, false)), 0);
  auto r =
      Call("tools/call",
           json::Object{{"name", "slow"}, {"arguments", json::Object{{"n", 3}}}, {"_meta", json::Object{{"progressToken", "tok"}}}}, false);
  Valid(r, "2025-11-25", "CallToolResult");
  ASSERT_EQ(notes_.size(), 4u);  // Three progress notifications and one log message.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(notes_[static_cast<std::size_t>(i)].at("params").at("progressToken"), "tok");
    EXPECT_THAT(SchemaFor("2025-11-25").ValidateAgainst("#/$defs/ProgressNotification", json::Value(notes_[static_cast<std::size_t>(i)])),
                IsOk());
  }
  EXPECT_EQ(notes_[3].at("method"), "notifications/message");
  notes_.clear();
  Call("tools/call", json::Object{{"name", "slow"}, {"arguments", json::Object{{"n", 2}}}}, false);
  EXPECT_EQ(notes_.size(), 1u);  // No progress without a token.
}

TEST_F(ServerTest, CancellationReachesARunningTool) {
  Initialize("2025-11-25");
  auto call = std::async(std::launch::async, [&] {
    Request r{json::Value(99), "tools/call", json::Object{{"name", "slow"}, {"arguments", json::Object{{"n", 1000}}}}, true};
    CallContext ctx;
    ctx.session = &session_;
    return *server_->Handle(Message(r), ctx);
  });
  // A cancellation for a request not yet running is ignored, so cancel until the call ends
  // rather than guess when it has started (the uncancelled call would count for 10 s).
  CallContext ctx;
  ctx.session = &session_;
  do {
    server_->Handle(Message(Notification{"notifications/cancelled", json::Object{{"requestId", 99}}}), ctx);
  } while (call.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready);
  json::Object response = call.get();
  EXPECT_EQ(response.at("result").at("content").at(0).at("text"), "cancelled");
}

}  // namespace
}  // namespace aip::mcp

namespace aip::mcp {
namespace {

// Names the caller from _meta["test/who"], standing in for a real authenticator.
class WhoAuthenticator final : public authn::RequestAuthenticator {
 public:
  std::variant<std::optional<authn::Principal>, authn::AuthFailure> Authenticate(const json::Object& request,
                                                                                 const authn::HttpInfo*) override {
    const json::Value* who = request.at("params").as_object().at("_meta").as_object().if_contains("test/who");
    if (who == nullptr) return std::optional<authn::Principal>();
    authn::Principal p;
    p.kind = authn::Principal::Kind::kAgent;
    p.id = std::string(who->as_string());
    return std::optional<authn::Principal>(p);
  }
};

// A sealed requestState continues only the exchange of the caller it was issued to.
TEST(RequestStateTest, IsBoundToTheCaller) {
  McpServer server({"s", "1", ""});
  ToolDef t;
  t.name = "ask";
  t.handler = [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
    if (ctx.request_state() == "asked") return ToolResult::Text("done");
    ctx.RequireInput({json::Object{{"q", json::Object{{"method", "roots/list"}, {"params", json::Object{}}}}}, "asked"});
    return ToolResult{};
  };
  ASSERT_TRUE(server.AddTool(std::move(t)).ok());
  server.SetAuthenticator(std::make_shared<WhoAuthenticator>(), AuthMode::kRequired);
  auto call = [&](std::string who, std::optional<json::Value> state) {
    json::Object params{{"name", "ask"}, {"_meta", testing::ModernMeta(json::Object{{"test/who", who}})}};
    if (state) {
      params["requestState"] = *state;
      params["inputResponses"] = json::Object{{"q", json::Object{{"roots", json::Array{}}}}};
    }
    CallContext ctx;
    return *server.Handle(Message(Request{json::Value(1), "tools/call", std::move(params), true}), ctx);
  };
  json::Object first = call("alice", std::nullopt);
  ASSERT_EQ(first.at("result").at("resultType"), "input_required");
  json::Value token = first.at("result").at("requestState");
  EXPECT_EQ(call("bob", token).at("error").at("code"), kInvalidParams);  // Another caller's state.
  EXPECT_EQ(call("alice", token).at("result").at("content").at(0).at("text"), "done");
}

// A credential that could not be checked because a store is down is refused — as "try again",
// not as the caller's fault.
TEST(AuthRefusalTest, AStoreOutageIsRetryLaterAndStillRefuses) {
  mcp::RpcError store = AuthRefusal(authn::AuthFailure("replay_store_unavailable", "the replay store cannot be reached"));
  EXPECT_EQ(store.code, kInternalError);
  EXPECT_EQ(store.data->at("reason"), "replay_store_unavailable");
  EXPECT_EQ(store.data->at("retryAfterSeconds"), 1);
  mcp::RpcError replay = AuthRefusal(authn::AuthFailure("replayed_nonce", "this request was already used"));
  EXPECT_EQ(replay.code, kUnauthenticatedCode);
  EXPECT_FALSE(replay.data->as_object().contains("retryAfterSeconds"));
}

}  // namespace
}  // namespace aip::mcp
