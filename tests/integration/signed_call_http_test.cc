// Signed calls through the real HTTP server: every forged or misused request is answered with
// 401 and a JSON-RPC error naming the reason, and the tool handler never runs for any of them.
#include <gtest/gtest.h>

#include <atomic>

#include "aip/mcp/client.h"
#include "aip/mcp/http_transport.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/testing/testing.h"

namespace aip::mcpsig {
namespace {

using ::aip::testing::IsOk;

class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(std::chrono::seconds shift) : shift_(shift) {}
  TimePoint Now() const override { return std::chrono::system_clock::now() + shift_; }

 private:
  std::chrono::seconds shift_;
};

class SignedCallHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<mcp::McpServer>(mcp::Implementation{"signed-test", "1", ""});
    mcp::ToolDef t;
    t.name = "transfer";
    t.input_schema = *json::ParseJson(R"({"type":"object","properties":{"to":{"type":"string"},"amount":{"type":"integer"}}})");
    t.handler = [this](const json::Object& args, mcp::HandlerContext& ctx) -> Result<mcp::ToolResult> {
      ++runs_;
      last_caller_ = ctx.request().principal ? ctx.request().principal->did : "";
      return mcp::ToolResult::Text("sent " + json::Serialize(args.at("amount")));
    };
    ASSERT_THAT(server_->AddTool(std::move(t)), IsOk());
    transport_ = std::make_unique<mcp::StreamableHttpTransport>(*server_, mcp::StreamableHttpOptions{});
    auto s = net::HttpServer::Start({}, [this](const net::HttpRequest& r, net::Exchange& e) { transport_->Handle(r, e); });
    ASSERT_THAT(s, IsOk());
    http_ = std::move(*s);
    url_ = "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp";
    VerifyOptions v{{url_}, DefaultResolver(), std::make_shared<authn::InMemoryReplayCache>(), std::chrono::seconds(60), &DefaultClock()};
    auto replay = v.replay_cache;
    auto chain = std::make_shared<authn::AuthenticatorChain>();
    ASSERT_THAT(chain->Add(std::make_shared<ProofAuthenticator>(std::move(v))), IsOk());
    ASSERT_THAT(chain->Add(std::make_shared<HttpSignatureAuthenticator>(DefaultResolver(), replay)), IsOk());
    server_->SetAuthenticator(chain, mcp::AuthMode::kRequired);
  }
  void TearDown() override { http_->Stop(std::chrono::seconds(1)); }

  json::Object Call(json::Object args) {
    return json::Object{{"jsonrpc", "2.0"},
                        {"id", 1},
                        {"method", "tools/call"},
                        {"params", json::Object{{"name", "transfer"}, {"arguments", std::move(args)}}}};
  }
  json::Object Signed(json::Object r, std::string audience = "", const Clock* clock = &DefaultClock()) {
    EXPECT_THAT(SignRequest(r, agent_, SignOptions{audience.empty() ? url_ : audience, std::chrono::seconds(120), clock}), IsOk());
    return r;
  }
  std::pair<int, std::string> Post(const std::string& body) {
    net::HttpClient c(*net::ParseUrl(url_));
    net::Headers h;
    h.Set("content-type", "application/json");
    h.Set("accept", "application/json");
    auto r = c.Send("POST", "/mcp", h, body);
    EXPECT_THAT(r, IsOk());
    if (!r) return {0, ""};
    auto o = json::ParseJsonObject(r->body);
    std::string reason;
    if (o && o->contains("error") && o->at("error").as_object().contains("data")) {
      reason = std::string(o->at("error").at("data").at("reason").as_string());
    } else if (o && o->contains("error")) {
      reason = "code " + json::Serialize(o->at("error").at("code"));
    }
    if (r->status == 401) {
      EXPECT_TRUE(r->headers.Get("www-authenticate").has_value());
    }
    return {r->status, reason};
  }
  std::pair<int, std::string> Post(const json::Object& o) { return Post(json::Serialize(o)); }

  identity::Identity agent_ = identity::Identity::Generate("agent", "", DefaultClock().Now());
  std::unique_ptr<mcp::McpServer> server_;
  std::unique_ptr<mcp::StreamableHttpTransport> transport_;
  std::unique_ptr<net::HttpServer> http_;
  std::string url_;
  std::atomic<int> runs_{0};
  std::string last_caller_;
};

TEST_F(SignedCallHttpTest, OnlyTheGenuineCallRuns) {
  // A legacy request outside a session is refused before authentication (400); the rest of
  // this test uses stateless 2026-07-28 requests.
  EXPECT_EQ(Post(Signed(Call({{"to", "bob"}, {"amount", 10}}))).first, 400);
  EXPECT_EQ(runs_, 0);

  auto modern = [](json::Object r) {
    r["params"].as_object()["_meta"] = json::Object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                                    {"io.modelcontextprotocol/clientCapabilities", json::Object{}}};
    return r;
  };
  auto post_modern = [&](const json::Object& r) {
    net::HttpClient c(*net::ParseUrl(url_));
    net::Headers h;
    h.Set("content-type", "application/json");
    h.Set("mcp-protocol-version", "2026-07-28");
    h.Set("mcp-method", "tools/call");
    h.Set("mcp-name", "transfer");
    auto res = c.Send("POST", "/mcp", h, json::Serialize(r));
    std::string reason;
    auto o = json::ParseJsonObject(res->body);
    if (o && o->contains("error")) {
      const auto& e = o->at("error").as_object();
      reason = e.contains("data") ? std::string(e.at("data").at("reason").as_string()) : "code " + json::Serialize(e.at("code"));
    }
    return std::make_pair(res->status, reason);
  };

  json::Object genuine = Signed(modern(Call({{"to", "bob"}, {"amount", 10}})));
  EXPECT_EQ(post_modern(genuine), std::make_pair(200, std::string()));
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(last_caller_, agent_.did());

  EXPECT_EQ(post_modern(genuine), std::make_pair(401, std::string("replayed_nonce")));
  EXPECT_EQ(post_modern(modern(Call({{"to", "bob"}, {"amount", 10}}))), std::make_pair(401, std::string("missing_proof")));

  json::Object tampered = Signed(modern(Call({{"to", "bob"}, {"amount", 10}})));
  tampered["params"].as_object()["arguments"].as_object()["amount"] = 10000;
  EXPECT_EQ(post_modern(tampered), std::make_pair(401, std::string("bad_signature")));

  EXPECT_EQ(post_modern(Signed(modern(Call({{"amount", 1}})), "https://other-server.example/mcp")),
            std::make_pair(401, std::string("wrong_audience")));
  ShiftedClock past(std::chrono::seconds(-3600)), future(std::chrono::seconds(3600));
  EXPECT_EQ(post_modern(Signed(modern(Call({{"amount", 1}})), "", &past)), std::make_pair(401, std::string("expired")));
  EXPECT_EQ(post_modern(Signed(modern(Call({{"amount", 1}})), "", &future)), std::make_pair(401, std::string("not_yet_valid")));

  json::Object swapped = Signed(modern(Call({{"amount", 1}})));
  identity::Identity mallory = identity::Identity::Generate("mallory", "", DefaultClock().Now());
  swapped["params"].as_object()["_meta"].as_object()[kProofKey].as_object()["verificationMethod"] = mallory.verification_method();
  EXPECT_EQ(post_modern(swapped), std::make_pair(401, std::string("bad_signature")));

  json::Object moved = Signed(modern(Call({{"amount", 1}})));
  moved["method"] = "prompts/get";  // The proof of a tools/call presented on another method.
  net::HttpClient c(*net::ParseUrl(url_));
  net::Headers h;
  h.Set("content-type", "application/json");
  h.Set("mcp-protocol-version", "2026-07-28");
  h.Set("mcp-method", "prompts/get");
  h.Set("mcp-name", "transfer");
  auto moved_res = c.Send("POST", "/mcp", h, json::Serialize(moved));
  EXPECT_EQ(moved_res->status, 401);
  EXPECT_NE(moved_res->body.find("bad_signature"), std::string::npos);

  // A second "arguments" smuggled behind the signed one: rejected by the parser before anyone
  // looks at it (a parser that kept the last value would run the unsigned one).
  json::Object smug = Signed(modern(Call({{"to", "bob"}, {"amount", 1}})));
  std::string body = json::Serialize(smug);
  std::size_t at = body.find("\"arguments\"");
  body.insert(at, "\"arguments\":{\"to\":\"mallory\",\"amount\":9999},");
  net::Headers h2;
  h2.Set("content-type", "application/json");
  auto smug_res = net::HttpClient(*net::ParseUrl(url_)).Send("POST", "/mcp", h2, body);
  EXPECT_EQ(smug_res->status, 400);
  EXPECT_NE(smug_res->body.find("-32700"), std::string::npos);
  EXPECT_NE(smug_res->body.find("duplicate key"), std::string::npos);

  EXPECT_EQ(runs_, 1);  // Only the genuine call ever reached the tool.
}

// The client SDK signs for itself (SignedClientOptions) and checks the server's signed results.
TEST_F(SignedCallHttpTest, ClientSdkSignsAndVerifiesResults) {
  auto server_id = std::make_shared<identity::Identity>(identity::Identity::Generate("server", "", DefaultClock().Now()));
  server_->SetResultSigner(std::make_shared<ProofResultSigner>(server_id));
  SignedClientConfig config;
  config.signer = std::make_shared<identity::Identity>(agent_);
  config.audience = url_;
  config.expected_server = server_id->did();
  auto t = mcp::HttpClientTransport(url_);
  ASSERT_THAT(t, IsOk());
  mcp::McpClient client(std::move(*t), SignedClientOptions(config));
  ASSERT_THAT(client.Connect(), IsOk());
  auto r = client.CallTool("transfer", json::Object{{"to", "bob"}, {"amount", 3}});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(runs_, 1);
  EXPECT_EQ(last_caller_, agent_.did());

  config.expected_server = agent_.did();  // Expect another signer: the genuine result is refused.
  auto t2 = mcp::HttpClientTransport(url_);
  mcp::McpClient wary(std::move(*t2), SignedClientOptions(config));
  ASSERT_THAT(wary.Connect(), ::aip::testing::StatusIs(ErrorCode::kUnauthenticated));
}

// The same guarantees through an RFC 9421 HTTP message signature instead of a _meta proof.
TEST_F(SignedCallHttpTest, HttpMessageSignaturesAuthenticateToo) {
  std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"transfer","arguments":{"to":"bob","amount":5},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  auto signer = HttpSigner(std::make_shared<identity::Identity>(agent_));
  auto headers = [&](const std::string& url_for_signature, const std::string& signed_body) {
    net::Headers h;
    h.Set("content-type", "application/json");
    h.Set("mcp-protocol-version", "2026-07-28");
    h.Set("mcp-method", "tools/call");
    h.Set("mcp-name", "transfer");
    EXPECT_THAT(signer("POST", url_for_signature, h, signed_body), IsOk());
    return h;
  };
  auto send = [&](const net::Headers& h, const std::string& b) {
    auto r = net::HttpClient(*net::ParseUrl(url_)).Send("POST", "/mcp", h, b);
    std::string reason;
    if (auto o = json::ParseJsonObject(r->body); o && o->contains("error")) {
      reason = std::string(o->at("error").at("data").at("reason").as_string());
    }
    return std::make_pair(r->status, reason);
  };
  std::string target = "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp";
  net::Headers good = headers(target, body);
  EXPECT_EQ(send(good, body), std::make_pair(200, std::string()));
  EXPECT_EQ(last_caller_, agent_.did());
  EXPECT_EQ(send(good, body), std::make_pair(401, std::string("replayed_nonce")));
  std::string altered = body;
  altered.replace(altered.find("\"amount\":5"), 10, "\"amount\":9");
  EXPECT_EQ(send(headers(target, body), altered), std::make_pair(401, std::string("digest_mismatch")));
  EXPECT_EQ(send(headers("http://127.0.0.1:1/mcp", body), body), std::make_pair(401, std::string("bad_http_signature")));
  EXPECT_EQ(runs_, 1);
}

}  // namespace
}  // namespace aip::mcpsig
