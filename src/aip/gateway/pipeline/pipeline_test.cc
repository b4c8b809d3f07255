// The gateway pipeline in process: each stage's decisions and the errors a caller gets, with a
// fake authenticator, fake upstreams and an in-memory audit sink behind the real interfaces —
// what the end-to-end tests show over HTTP, here without sockets or processes.
#include "aip/gateway/pipeline/pipeline.h"

#include <gtest/gtest.h>

#include "aip/gateway/audit_sink.h"

namespace aip::gateway {
namespace {

class FakeAuthenticator final : public authn::RequestAuthenticator {
 public:
  std::variant<std::optional<authn::Principal>, authn::AuthFailure> answer = std::optional<authn::Principal>();
  std::variant<std::optional<authn::Principal>, authn::AuthFailure> Authenticate(const json::Object&, const authn::HttpInfo*) override {
    return answer;
  }
};

class MemoryAudit final : public AuditSink {
 public:
  std::vector<json::Object> lines;
  bool fail = false;
  Status Append(json::Object record) override {
    if (fail) return UnavailableError("disk full");
    lines.push_back(std::move(record));
    return OkStatus();
  }
  std::optional<json::Value> RecordedArguments(const json::Object& arguments) const override { return json::Value(arguments); }
};

class FakeUpstream final : public Upstream {
 public:
  explicit FakeUpstream(std::string name, bool namespaced = true) {
    config_.name = std::move(name);
    config_.namespaced = namespaced;
    auto c = std::make_shared<Catalog>();
    c->capabilities = json::Object{{"tools", json::Object{}}};
    c->tools = json::Array{json::Object{{"name", "list_tasks"}, {"inputSchema", json::Object{{"type", "object"}}}},
                           json::Object{{"name", "delete_all"}, {"inputSchema", json::Object{{"type", "object"}}}}};
    c->Index();
    catalog_ = std::move(c);
  }
  const UpstreamConfig& config() const override { return config_; }
  bool up() const override { return true; }
  std::shared_ptr<const Catalog> catalog() const override { return catalog_; }
  Result<json::Object> Forward(const std::string& method, json::Object params, const ForwardOptions& options) override {
    ++calls;
    last_method = method;
    last_params = std::move(params);
    last_traceparent = options.traceparent;
    if (!response) return response.status();
    return *response;
  }

  Result<json::Object> response = json::Object{{"result", json::Object{{"content", json::Array{}}}}};
  int calls = 0;
  std::string last_method, last_traceparent;
  json::Object last_params;

 private:
  UpstreamConfig config_;
  std::shared_ptr<const Catalog> catalog_;
};

constexpr std::string_view kConfig = R"(
[gateway]
listen = "127.0.0.1:0"
[[upstream]]
name = "tasks"
url = "http://127.0.0.1:1/mcp"
[[rule]]
id = "agents-project-a"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
when = [ { pointer = "/project", op = "eq", value = "project-a" } ]
[[limit]]
id = "two-per-agent"
per = "principal"
rate = 0.001
burst = 2
principals = ["did:key:z6MkLimited"]
)";

authn::Principal Agent() {
  authn::Principal p;
  p.kind = authn::Principal::Kind::kAgent;
  p.did = p.id = "did:key:z6MkAgent";
  return p;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cfg = ParseConfig(kConfig, "gw.toml", "/tmp");
    ASSERT_TRUE(cfg.ok()) << cfg.error().message;
    PipelineMetrics::Describe(metrics_);
    upstream_ = std::make_shared<FakeUpstream>("tasks");
    auto state = std::make_shared<PipelineState>();
    state->policy = cfg->policy;
    state->limits = cfg->limits;
    state->upstreams["tasks"] = upstream_;
    state->metrics = std::make_shared<const PipelineMetrics>(metrics_, cfg->policy->RuleIds(), cfg->limits->LimitIds(),
                                                             std::vector<std::string>{"tasks"});
    state_ = state;
    pipeline_ = Pipeline::Standard(auth_, audit_);
    pipeline_->SetState(state_);
    auth_->answer = std::optional<authn::Principal>(Agent());
  }

  Outcome Call(std::string method, json::Object params) {
    request_ = mcp::Request{json::Value(1), std::move(method), std::move(params), true};
    info_ = mcp::RequestInfo{};
    info_.method = request_.method;
    if (const json::Value* m = request_.params.if_contains("_meta")) info_.meta = m->get_object();
    return pipeline_->Route(request_, info_, ctx_);
  }
  Outcome CallTool(std::string name, json::Object arguments) {
    return Call("tools/call", json::Object{{"name", std::move(name)}, {"arguments", std::move(arguments)}});
  }
  static const mcp::RpcError& Error(const Outcome& o) { return std::get<mcp::RpcError>(o); }

  Metrics metrics_;
  std::shared_ptr<FakeAuthenticator> auth_ = std::make_shared<FakeAuthenticator>();
  std::shared_ptr<MemoryAudit> audit_ = std::make_shared<MemoryAudit>();
  std::shared_ptr<FakeUpstream> upstream_;
  std::shared_ptr<const PipelineState> state_;
  std::shared_ptr<Pipeline> pipeline_;
  mcp::Request request_;
  mcp::RequestInfo info_;
  mcp::CallContext ctx_;
};

TEST_F(PipelineTest, AnAllowedCallIsRecordedForwardedAndAnswered) {
  auto out = Call("tools/call", json::Object{{"name", "tasks.list_tasks"},
                                             {"arguments", json::Object{{"project", "project-a"}}},
                                             {"_meta", json::Object{{"progressToken", 7}, {"dev.aip/proof", json::Object{}}}}});
  ASSERT_TRUE(std::holds_alternative<json::Value>(out)) << Error(out).message;
  EXPECT_EQ(std::get<json::Value>(out), (json::Object{{"content", json::Array{}}}));
  // The upstream gets its own name for the tool, the caller's progress token and nothing else of _meta.
  EXPECT_EQ(upstream_->calls, 1);
  EXPECT_EQ(upstream_->last_method, "tools/call");
  EXPECT_EQ(upstream_->last_params.at("name"), "list_tasks");
  EXPECT_EQ(upstream_->last_params.at("_meta"), (json::Object{{"progressToken", 7}}));
  EXPECT_EQ(upstream_->last_traceparent.size(), 55u);
  ASSERT_EQ(audit_->lines.size(), 2u);
  EXPECT_EQ(audit_->lines[0].at("type"), "decision");
  EXPECT_EQ(audit_->lines[0].at("decision"), "allow");
  EXPECT_EQ(audit_->lines[0].at("rule"), "agents-project-a");
  EXPECT_EQ(audit_->lines[0].at("agent"), "did:key:z6MkAgent");
  EXPECT_EQ(audit_->lines[0].at("arguments"), (json::Object{{"project", "project-a"}}));
  EXPECT_EQ(audit_->lines[1].at("type"), "outcome");
  EXPECT_EQ(audit_->lines[1].at("outcome"), "ok");
  EXPECT_EQ(audit_->lines[0].at("request_id"), audit_->lines[1].at("request_id"));
  std::string m = metrics_.Render();
  EXPECT_NE(m.find("aip_gateway_requests_total{method=\"tools/call\",outcome=\"ok\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("aip_gateway_decisions_total{decision=\"allow\",rule=\"agents-project-a\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("aip_gateway_upstream_latency_seconds_count{upstream=\"tasks\"} 1\n"), std::string::npos) << m;
  // Series nothing has recorded into stay out of the scrape.
  EXPECT_EQ(m.find("outcome=\"denied\""), std::string::npos) << m;
}

TEST_F(PipelineTest, ABadCredentialIsRefusedAndRecorded) {
  auth_->answer = authn::AuthFailure{"replayed_nonce", "this request was already used"};
  auto out = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(out).code, mcp::kUnauthenticatedCode);
  EXPECT_EQ(Error(out).data->as_object().at("reason"), "replayed_nonce");
  EXPECT_EQ(upstream_->calls, 0);
  ASSERT_EQ(audit_->lines.size(), 1u);
  EXPECT_EQ(audit_->lines[0].at("decision"), "unauthenticated");
  EXPECT_NE(metrics_.Render().find("decision=\"unauthenticated\",rule=\"replayed_nonce\"} 1"), std::string::npos);
}

TEST_F(PipelineTest, AnArgumentOutsideTheRuleIsDeniedWithTheRuleAndField) {
  auto out = CallTool("tasks.list_tasks", json::Object{{"project", "project-b"}});
  const mcp::RpcError& e = Error(out);
  EXPECT_EQ(e.code, mcp::kForbiddenCode);
  const json::Object& data = e.data->as_object();
  EXPECT_EQ(data.at("reason").as_string(), policy::denial::kArgument);
  EXPECT_EQ(data.at("rule"), "agents-project-a");
  EXPECT_EQ(data.at("field"), "/project");
  EXPECT_EQ(upstream_->calls, 0);
  ASSERT_EQ(audit_->lines.size(), 1u);
  EXPECT_EQ(audit_->lines[0].at("decision"), "deny");
  EXPECT_EQ(data.at("correlationId"), audit_->lines[0].at("request_id"));
  EXPECT_NE(metrics_.Render().find("outcome=\"denied\"} 1"), std::string::npos);
}

TEST_F(PipelineTest, NoRuleMeansDefaultDeny) {
  auto out = CallTool("tasks.delete_all", json::Object{});
  EXPECT_EQ(Error(out).code, mcp::kForbiddenCode);
  EXPECT_EQ(Error(out).data->as_object().at("reason"), "no_rule");
  EXPECT_EQ(upstream_->calls, 0);
  EXPECT_NE(metrics_.Render().find("decision=\"deny\",rule=\"default_deny\"} 1"), std::string::npos);
}

TEST_F(PipelineTest, AStrangerIsToldOnlyToAuthenticate) {
  auth_->answer = std::optional<authn::Principal>();
  auto out = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(out).code, mcp::kUnauthenticatedCode);
  EXPECT_EQ(Error(out).data->as_object().at("reason"), "missing_credential");
  EXPECT_FALSE(Error(out).data->as_object().contains("rule"));
  EXPECT_EQ(Error(Call("tools/list", json::Object{})).code, mcp::kUnauthenticatedCode);
  EXPECT_EQ(upstream_->calls, 0);
}

TEST_F(PipelineTest, TheRateLimitRefusesAfterTheBurstAndSaysWhenToRetry) {
  authn::Principal limited = Agent();
  limited.did = limited.id = "did:key:z6MkLimited";
  auth_->answer = std::optional<authn::Principal>(limited);
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(std::holds_alternative<json::Value>(CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}})));
  auto out = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(out).code, mcp::kRateLimitedCode);
  EXPECT_EQ(Error(out).data->as_object().at("limit"), "two-per-agent");
  EXPECT_GE(Error(out).data->as_object().at("retryAfterSeconds").to_number<double>(), 1);
  EXPECT_EQ(upstream_->calls, 2);
  EXPECT_EQ(audit_->lines.back().at("decision"), "rate_limited");
  // A denied call spends no token.
  EXPECT_EQ(Error(CallTool("tasks.delete_all", json::Object{})).code, mcp::kForbiddenCode);
}

TEST_F(PipelineTest, ACallThatCannotBeRecordedDoesNotHappen) {
  audit_->fail = true;
  auto out = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(out).code, mcp::kInternalError);
  EXPECT_EQ(Error(out).message, "audit log unavailable");
  EXPECT_EQ(upstream_->calls, 0);
}

TEST_F(PipelineTest, UpstreamFailuresAndErrorsReachTheCaller) {
  upstream_->response = UnavailableError("connection refused");
  auto down = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(down).code, mcp::kInternalError);
  EXPECT_EQ(Error(down).data->as_object().at("upstream"), "tasks");
  EXPECT_EQ(audit_->lines.back().at("outcome"), "upstream_unavailable");

  upstream_->response = json::Object{{"error", json::Object{{"code", -32602}, {"message", "bad project"}, {"data", 1}}}};
  auto rpc = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  EXPECT_EQ(Error(rpc).code, -32602);
  EXPECT_EQ(Error(rpc).message, "bad project");
  EXPECT_EQ(audit_->lines.back().at("error_code"), -32602);

  upstream_->response = json::Object{{"result", json::Object{{"isError", true}, {"content", json::Array{}}}}};
  auto tool = CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}});
  ASSERT_TRUE(std::holds_alternative<json::Value>(tool));
  EXPECT_EQ(audit_->lines.back().at("outcome"), "tool_error");
}

TEST_F(PipelineTest, BadRequestsAreRefusedBeforePolicy) {
  EXPECT_EQ(Error(CallTool("tasks.nope", json::Object{})).code, mcp::kInvalidParams);
  EXPECT_EQ(Error(CallTool("nope", json::Object{})).code, mcp::kInvalidParams);
  EXPECT_EQ(Error(Call("tools/call", json::Object{{"name", 3}})).code, mcp::kInvalidParams);
  EXPECT_EQ(Error(Call("tools/call", json::Object{{"name", "tasks.list_tasks"}, {"arguments", json::Array{}}})).code, mcp::kInvalidParams);
  EXPECT_EQ(Error(Call("resources/read", json::Object{{"uri", "file:///etc/passwd"}})).code, mcp::kInvalidParams);
  EXPECT_EQ(Error(Call("tools/frobnicate", json::Object{})).code, mcp::kMethodNotFound);
  EXPECT_EQ(upstream_->calls, 0);
  EXPECT_TRUE(audit_->lines.empty());
}

TEST_F(PipelineTest, ListsShowOnlyWhatTheCallerMayCallNamespaced) {
  auto out = Call("tools/list", json::Object{});
  const json::Object& list = std::get<json::Value>(out).as_object();
  ASSERT_EQ(list.at("tools").as_array().size(), 1u);
  EXPECT_EQ(list.at("tools").as_array()[0].as_object().at("name"), "tasks.list_tasks");
  EXPECT_EQ(list.at("cacheScope"), "private");
  EXPECT_TRUE(pipeline_->ToolInputSchema("tasks.list_tasks").has_value());
  EXPECT_FALSE(pipeline_->ToolInputSchema("list_tasks").has_value());
  EXPECT_TRUE(pipeline_->Capabilities().contains("tools"));
}

TEST_F(PipelineTest, AnUnnamespacedUpstreamKeepsItsNames) {
  auto bare = std::make_shared<FakeUpstream>("tasks", false);
  auto state = std::make_shared<PipelineState>(*state_);
  state->upstreams["tasks"] = bare;
  pipeline_->SetState(state);
  ASSERT_TRUE(std::holds_alternative<json::Value>(CallTool("list_tasks", json::Object{{"project", "project-a"}})));
  EXPECT_EQ(bare->last_params.at("name"), "list_tasks");
  EXPECT_EQ(Error(CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}})).code, mcp::kInvalidParams);
}

TEST_F(PipelineTest, ACallerChosenTraceIsContinued) {
  net::Headers headers;
  headers.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  authn::HttpInfo http;
  http.headers = &headers;
  ctx_.http = &http;
  ASSERT_TRUE(std::holds_alternative<json::Value>(CallTool("tasks.list_tasks", json::Object{{"project", "project-a"}})));
  EXPECT_EQ(audit_->lines[0].at("trace_id"), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_TRUE(upstream_->last_traceparent.starts_with("00-0af7651916cd43dd8448eb211c80319c-"));
}

TEST(PipelineAssembly, APipelineWhoseStagesAllPassRefusesClosed) {
  Pipeline empty({});
  empty.SetState(std::make_shared<PipelineState>());
  mcp::Request r{json::Value(1), "tools/call", json::Object{}, true};
  mcp::RequestInfo info;
  mcp::CallContext ctx;
  auto out = empty.Route(r, info, ctx);
  EXPECT_EQ(std::get<mcp::RpcError>(out).code, mcp::kInternalError);
  Pipeline unconfigured({});
  EXPECT_EQ(std::get<mcp::RpcError>(unconfigured.Route(r, info, ctx)).message, "gateway is not configured");
}

}  // namespace
}  // namespace aip::gateway
