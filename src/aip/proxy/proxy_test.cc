// aip proxy's bridges against a real Streamable HTTP server that requires signed calls: what a
// local client writes comes out signed (a fresh proof each time), answers and streamed
// notifications come back, failures become JSON-RPC errors, a forgotten session is renewed,
// and the local HTTP bridge serves only the holder of its token.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "aip/mcp/http_transport.h"
#include "aip/mcp/test_server.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/proxy/listen_bridge.h"
#include "aip/proxy/stdio_bridge.h"
#include "aip/testing/testing.h"

namespace aip::proxy {
namespace {

using ::aip::testing::IsOk;

// SignedServer is the remote: the SDK's test server over HTTP, refusing unsigned calls.
class SignedServer {
 public:
  // legacy_only: the server answers as a server older than 2026-07-28 does (no server/discover).
  explicit SignedServer(bool legacy_only = false) : legacy_only_(legacy_only) { Start(0); }
  ~SignedServer() { Stop(); }
  void Start(std::uint16_t port) {
    server_ = mcp::testing::MakeTestServer();
    mcp::ToolDef ask;  // A 2026 tool that needs input: it answers input_required until it has a name.
    ask.name = "ask_name";
    ask.input_schema = json::Object{{"type", "object"}};
    ask.handler = [](const json::Object&, mcp::HandlerContext& ctx) -> Result<mcp::ToolResult> {
      const json::Value* r = ctx.input_responses().if_contains("name");
      if (r != nullptr && r->is_object() && r->get_object().contains("content")) {
        return mcp::ToolResult::Text("Hello, " + std::string(r->at("content").at("name").as_string()) + "!");
      }
      json::Object elicit{{"method", "elicitation/create"},
                          {"params", json::Object{{"message", "Your name?"}, {"requestedSchema", json::Object{{"type", "object"}}}}}};
      ctx.RequireInput({json::Object{{"name", std::move(elicit)}}, ""});
      return mcp::ToolResult{};
    };
    (void)server_->AddTool(std::move(ask));
    transport_ = std::make_unique<mcp::StreamableHttpTransport>(*server_, mcp::StreamableHttpOptions{});
    net::HttpServerOptions o;
    o.port = port;
    o.handler_threads = 8;
    auto s = net::HttpServer::Start(o, [this](const net::HttpRequest& r, net::Exchange& e) {
      if (r.method == "POST") {
        auto body = json::ParseJsonObject(r.body);
        if (legacy_only_ && body && json::OptionalString(*body, "method") == "server/discover") {
          e.Respond(mcp::JsonHttpResponse(404, json::Value(mcp::MakeError(body->at("id"), mcp::kMethodNotFound, "Method not found"))));
          return;
        }
        if (body && body->contains("method") && body->contains("id")) {
          std::lock_guard lock(mu_);
          const json::Value* meta = body->at("params").as_object().if_contains("_meta");
          if (meta != nullptr && meta->as_object().contains(mcpsig::kProofKey)) {
            nonces_.push_back(std::string(meta->at(mcpsig::kProofKey).at("challenge").as_string()));
          }
        }
      }
      transport_->Handle(r, e);
    });
    ASSERT_THAT(s, IsOk());
    http_ = std::move(*s);
    url_ = "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp";
    mcpsig::VerifyOptions v{
        {url_}, mcpsig::DefaultResolver(), std::make_shared<authn::InMemoryReplayCache>(), std::chrono::seconds(60), &DefaultClock()};
    auto chain = std::make_shared<authn::AuthenticatorChain>();
    ASSERT_THAT(chain->Add(std::make_shared<mcpsig::ProofAuthenticator>(std::move(v))), IsOk());
    server_->SetAuthenticator(chain, mcp::AuthMode::kRequired);
  }
  // Restart forgets every session, as a real server that restarts does.
  void Restart() {
    std::uint16_t port = http_->port();
    Stop();
    Start(port);
  }
  void Stop() {
    if (http_) http_->Stop(std::chrono::seconds(1));
    http_.reset();
  }
  const std::string& url() const { return url_; }
  int active_requests() const { return http_ ? http_->active_requests() : 0; }
  std::vector<std::string> nonces() {
    std::lock_guard lock(mu_);
    return nonces_;
  }

 private:
  bool legacy_only_;
  std::unique_ptr<mcp::McpServer> server_;
  std::unique_ptr<mcp::StreamableHttpTransport> transport_;
  std::unique_ptr<net::HttpServer> http_;
  std::string url_;
  std::mutex mu_;
  std::vector<std::string> nonces_;
};

// LocalClient plays the MCP client on the other ends of the bridge's stdin and stdout.
class LocalClient {
 public:
  explicit LocalClient(RemoteEndpoint& remote) {
    EXPECT_EQ(::pipe(to_proxy_), 0);
    EXPECT_EQ(::pipe(from_proxy_), 0);
    StdioBridgeOptions o;
    o.in_fd = to_proxy_[0];
    o.out_fd = from_proxy_[1];
    o.log = [this](std::string_view line) {
      std::lock_guard lock(mu_);
      log_.emplace_back(line);
    };
    bridge_ = std::thread([&remote, o] { (void)RunStdioBridge(remote, o); });
  }
  ~LocalClient() {
    CloseInput();
    bridge_.join();
    ::close(to_proxy_[0]);
    ::close(from_proxy_[0]);
    ::close(from_proxy_[1]);
  }
  void Write(const std::string& line) { ASSERT_EQ(::write(to_proxy_[1], line.data(), line.size()), static_cast<ssize_t>(line.size())); }
  void Send(const json::Object& message) { Write(json::Serialize(message) + "\n"); }
  void CloseInput() {
    if (to_proxy_[1] >= 0) ::close(to_proxy_[1]);
    to_proxy_[1] = -1;
  }
  // Next reads one line of the bridge's stdout as JSON; every line must be a JSON-RPC message.
  std::optional<json::Object> Next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto nl = pending_.find('\n');
      if (nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        auto o = json::ParseJsonObject(line);
        EXPECT_THAT(o, IsOk()) << "stdout carried a line that is not JSON: " << line;
        if (!o) return std::nullopt;
        EXPECT_EQ(json::OptionalString(*o, "jsonrpc"), "2.0") << line;
        return *o;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{from_proxy_[0], POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[65536];
      ssize_t n = ::read(from_proxy_[0], buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }
  // AnswerTo reads until the answer to `id`, collecting what came before it.
  std::optional<json::Object> AnswerTo(const json::Value& id, std::vector<json::Object>* before = nullptr) {
    while (auto m = Next()) {
      if (m->contains("id") && m->at("id") == id && !m->contains("method")) return m;
      if (before != nullptr) before->push_back(*m);
    }
    return std::nullopt;
  }
  std::vector<std::string> log() {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  int to_proxy_[2]{-1, -1};
  int from_proxy_[2]{-1, -1};
  std::string pending_;
  std::thread bridge_;
  std::mutex mu_;
  std::vector<std::string> log_;
};

json::Object Request(int id, const std::string& method, json::Object params = {}) {
  return json::Object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json::Object Initialize(int id) {
  return Request(id, "initialize",
                 json::Object{{"protocolVersion", "2025-11-25"},
                              {"capabilities", json::Object{}},
                              {"clientInfo", json::Object{{"name", "local-client"}, {"version", "1"}}}});
}

class ProxyTest : public ::testing::Test {
 protected:
  std::unique_ptr<RemoteEndpoint> Remote(const std::string& url, bool sign = true) {
    RemoteOptions o;
    o.url = url;
    if (sign) o.signer = std::make_shared<identity::Identity>(agent_);
    o.http.timeout = std::chrono::seconds(5);
    auto r = RemoteEndpoint::Create(std::move(o));
    EXPECT_THAT(r, IsOk());
    return std::move(*r);
  }
  void Handshake(LocalClient& c) {
    c.Send(Initialize(1));
    auto init = c.AnswerTo(1);
    ASSERT_TRUE(init.has_value());
    ASSERT_TRUE(init->contains("result")) << json::Serialize(*init);
    EXPECT_EQ(init->at("result").at("protocolVersion"), "2025-11-25");
    c.Send(json::Object{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  }

  identity::Identity agent_ = identity::Identity::Generate("agent", "", DefaultClock().Now());
  SignedServer server_;
};

// The same bridge against a remote that predates 2026-07-28: the client's own session is relayed.
class LegacyRemoteTest : public ProxyTest {
 protected:
  SignedServer legacy_{/*legacy_only=*/true};
};

TEST_F(LegacyRemoteTest, RelaysALegacySessionWithEveryRequestSignedAfresh) {
  auto remote = Remote(legacy_.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/list"));
  auto list = c.AnswerTo(2);
  ASSERT_TRUE(list && list->contains("result")) << json::Serialize(*list);
  // The same request twice: each goes out with its own proof, so the replay cache takes both.
  for (int id : {3, 4}) {
    c.Send(Request(id, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "hi"}}}}));
    auto r = c.AnswerTo(id);
    ASSERT_TRUE(r && r->contains("result")) << json::Serialize(*r);
    EXPECT_EQ(r->at("result").at("content").at(0).at("text"), "hi");
  }
  auto nonces = legacy_.nonces();
  ASSERT_EQ(nonces.size(), 4u);  // initialize, tools/list, two calls (server/discover is refused before counting).
  std::sort(nonces.begin(), nonces.end());
  EXPECT_EQ(std::unique(nonces.begin(), nonces.end()), nonces.end()) << "a nonce was sent twice";
}

TEST_F(ProxyTest, StreamsProgressBeforeTheAnswer) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/call",
                 json::Object{{"name", "slow"}, {"arguments", json::Object{{"n", 3}}}, {"_meta", json::Object{{"progressToken", "p1"}}}}));
  std::vector<json::Object> before;
  auto r = c.AnswerTo(2, &before);
  ASSERT_TRUE(r && r->contains("result")) << json::Serialize(*r);
  int progress = 0;
  for (const auto& m : before) progress += json::OptionalString(m, "method") == "notifications/progress";
  EXPECT_EQ(progress, 3);
}

TEST_F(ProxyTest, ALegacyClientSpeaksToA2026RemoteThroughTheProxy) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  Handshake(c);  // Answered by the proxy from server/discover: the version the client asked for.
  c.Send(Request(2, "ping"));
  auto pong = c.AnswerTo(2);
  ASSERT_TRUE(pong && pong->contains("result"));
  c.Send(Request(3, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "2026"}}}}));
  auto r = c.AnswerTo(3);
  ASSERT_TRUE(r && r->contains("result")) << json::Serialize(*r);
  EXPECT_EQ(r->at("result").at("content").at(0).at("text"), "2026");
}

TEST_F(ProxyTest, ALegacyClientAnswersA2026ServersElicitation) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/call", json::Object{{"name", "ask_name"}, {"arguments", json::Object{}}}));
  auto ask = c.Next();
  ASSERT_TRUE(ask.has_value());
  ASSERT_EQ(json::OptionalString(*ask, "method"), "elicitation/create") << json::Serialize(*ask);
  c.Send(json::Object{{"jsonrpc", "2.0"},
                      {"id", ask->at("id")},
                      {"result", json::Object{{"action", "accept"}, {"content", json::Object{{"name", "Ada"}}}}}});
  auto r = c.AnswerTo(2);
  ASSERT_TRUE(r && r->contains("result")) << json::Serialize(*r);
  EXPECT_EQ(r->at("result").at("content").at(0).at("text"), "Hello, Ada!");
  auto nonces = server_.nonces();  // server/discover, the listing of tools, and the call twice.
  std::sort(nonces.begin(), nonces.end());
  EXPECT_EQ(std::unique(nonces.begin(), nonces.end()), nonces.end()) << "a nonce was sent twice";
}

TEST_F(ProxyTest, AQuestionTheClientCanNoLongerAnswerEndsTheCall) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/call", json::Object{{"name", "ask_name"}, {"arguments", json::Object{}}}));
  auto ask = c.Next();
  ASSERT_TRUE(ask && json::OptionalString(*ask, "method") == "elicitation/create");
  auto t0 = std::chrono::steady_clock::now();
  c.CloseInput();  // The client goes away without answering.
  auto r = c.AnswerTo(2);
  ASSERT_TRUE(r && r->contains("error")) << (r ? json::Serialize(*r) : "no answer");
  EXPECT_EQ(r->at("error").at("data").at("reason"), "input_unanswered");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(ProxyTest, WithoutSigningTheServerRefusesAndTheClientSeesWhy) {
  auto remote = Remote(server_.url(), /*sign=*/false);
  LocalClient c(*remote);
  c.Send(Initialize(1));
  ASSERT_TRUE(c.AnswerTo(1).has_value());
  c.Send(Request(2, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "hi"}}}}));
  auto r = c.AnswerTo(2);
  ASSERT_TRUE(r && r->contains("error")) << json::Serialize(*r);
  EXPECT_EQ(r->at("error").at("code"), mcp::kUnauthenticatedCode);
}

TEST_F(ProxyTest, AnUnreachableRemoteIsAnErrorNotAHang) {
  std::string url = server_.url();
  server_.Stop();
  auto remote = Remote(url);
  LocalClient c(*remote);
  auto t0 = std::chrono::steady_clock::now();
  c.Send(Initialize(1));
  auto r = c.AnswerTo(1);
  ASSERT_TRUE(r && r->contains("error")) << (r ? json::Serialize(*r) : "no answer");
  EXPECT_EQ(r->at("error").at("data").at("reason"), "remote_unavailable");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(LegacyRemoteTest, ARestartedRemoteGetsANewSessionAndTheCallGoesThrough) {
  auto remote = Remote(legacy_.url());
  LocalClient c(*remote);
  Handshake(c);
  legacy_.Restart();
  c.Send(Request(2, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "again"}}}}));
  auto r = c.AnswerTo(2);
  ASSERT_TRUE(r && r->contains("result")) << json::Serialize(*r);
  EXPECT_EQ(r->at("result").at("content").at(0).at("text"), "again");
}

TEST_F(ProxyTest, MalformedInputIsAnsweredAndTheBridgeGoesOn) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  c.Write("{not json\n");
  auto e = c.Next();
  ASSERT_TRUE(e && e->contains("error"));
  EXPECT_EQ(e->at("error").at("code"), mcp::kParseError);
  Handshake(c);
}

TEST_F(ProxyTest, CancellationCutsTheRequestAndNoAnswerFollows) {
  auto remote = Remote(server_.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(
      Request(2, "tools/call",
              json::Object{{"name", "slow"}, {"arguments", json::Object{{"n", 1000}}}, {"_meta", json::Object{{"progressToken", "p"}}}}));
  auto first = c.Next();  // The first progress: the call is running.
  ASSERT_TRUE(first.has_value());
  c.Send(json::Object{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", json::Object{{"requestId", 2}}}});
  // Progress already in flight may still arrive; the answer to 2 must not.
  c.Send(Request(3, "ping"));
  std::vector<json::Object> before;
  auto pong = c.AnswerTo(3, &before);
  ASSERT_TRUE(pong.has_value());
  // The call was cut at the server, not merely forgotten here: uncancelled, it would run ~10 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (server_.active_requests() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server_.active_requests(), 0) << "the cancelled call still runs at the server";
  while (auto m = c.Next(std::chrono::milliseconds(100))) before.push_back(*m);
  for (const auto& m : before) EXPECT_FALSE(m.contains("id") && m.at("id") == json::Value(2)) << json::Serialize(m);
}

// A remote that misbehaves on purpose: it answers a call with a forged answer to another request
// on the call's stream before the real one, and asks seventeen questions at once.
class HostileRemote {
 public:
  HostileRemote() {
    net::HttpServerOptions o;
    o.handler_threads = 4;
    auto s = net::HttpServer::Start(o, [](const net::HttpRequest& r, net::Exchange& e) {
      auto body = json::ParseJsonObject(r.body);
      if (!body || !body->contains("id") || !body->contains("method")) {
        net::HttpResponse ok;
        ok.status = 202;
        e.Respond(std::move(ok));
        return;
      }
      std::string method(body->at("method").as_string());
      const json::Value& id = body->at("id");
      if (method == "server/discover") {  // An older server.
        e.Respond(mcp::JsonHttpResponse(404, json::Value(mcp::MakeError(id, mcp::kMethodNotFound, "Method not found"))));
        return;
      }
      if (method == "initialize") {
        net::HttpResponse init = mcp::JsonHttpResponse(
            200, json::Value(mcp::MakeResult(id, json::Object{{"protocolVersion", "2025-11-25"},
                                                              {"capabilities", json::Object{}},
                                                              {"serverInfo", json::Object{{"name", "hostile"}, {"version", "1"}}}})));
        init.headers.Set("mcp-session-id", "s1");
        e.Respond(std::move(init));
        return;
      }
      std::string name(body->at("params").at("name").as_string());
      if (name == "many") {
        json::Object asks;
        for (int i = 0; i < 17; ++i) {
          asks["q" + std::to_string(i)] = json::Object{{"method", "roots/list"}, {"params", json::Object{}}};
        }
        e.Respond(mcp::JsonHttpResponse(
            200, json::Value(mcp::MakeResult(id, json::Object{{"resultType", "input_required"}, {"inputRequests", std::move(asks)}}))));
        return;
      }
      net::Headers h;
      h.Set("content-type", "text/event-stream");
      auto& stream = e.BeginStream(200, h);
      json::Object forged = mcp::MakeResult(99, json::Object{{"content", json::Array{json::Object{{"type", "text"}, {"text", "forged"}}}}});
      stream.Write(net::FormatSseEvent(json::Serialize(json::Value(forged)), "message"));
      json::Object real = mcp::MakeResult(id, json::Object{{"content", json::Array{json::Object{{"type", "text"}, {"text", "real"}}}}});
      stream.Write(net::FormatSseEvent(json::Serialize(json::Value(real)), "message"));
    });
    EXPECT_THAT(s, IsOk());
    http_ = std::move(*s);
  }
  ~HostileRemote() { http_->Stop(std::chrono::seconds(1)); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp"; }

 private:
  std::unique_ptr<net::HttpServer> http_;
};

TEST_F(ProxyTest, AForgedAnswerToAnotherRequestNeverReachesTheClient) {
  HostileRemote hostile;
  auto remote = Remote(hostile.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{}}}));
  std::vector<json::Object> before;
  auto r = c.AnswerTo(2, &before);
  ASSERT_TRUE(r && r->contains("result")) << (r ? json::Serialize(*r) : "no answer");
  EXPECT_EQ(r->at("result").at("content").at(0).at("text"), "real");
  for (const auto& m : before) EXPECT_FALSE(m.contains("id") && m.at("id") == json::Value(99)) << json::Serialize(m);
  while (auto m = c.Next(std::chrono::milliseconds(100))) EXPECT_FALSE(m->contains("id") && m->at("id") == json::Value(99));
}

TEST_F(ProxyTest, AServerAsksAFewQuestionsAtATimeNotThousands) {
  HostileRemote hostile;
  auto remote = Remote(hostile.url());
  LocalClient c(*remote);
  Handshake(c);
  c.Send(Request(2, "tools/call", json::Object{{"name", "many"}, {"arguments", json::Object{}}}));
  std::vector<json::Object> before;
  auto r = c.AnswerTo(2, &before);
  ASSERT_TRUE(r && r->contains("error")) << (r ? json::Serialize(*r) : "no answer");
  EXPECT_EQ(r->at("error").at("data").at("reason"), "input_unanswered");
  EXPECT_TRUE(before.empty()) << "no question was put to the client";
}

TEST_F(ProxyTest, RequiredResultSignaturesTurnUnsignedResultsIntoErrors) {
  RemoteOptions o;
  o.url = server_.url();
  o.signer = std::make_shared<identity::Identity>(agent_);
  o.require_signed_result = true;
  auto remote = RemoteEndpoint::Create(std::move(o));
  ASSERT_THAT(remote, IsOk());
  LocalClient c(**remote);
  c.Send(Initialize(1));
  auto r = c.AnswerTo(1);
  ASSERT_TRUE(r && r->contains("error")) << json::Serialize(*r);
  EXPECT_EQ(r->at("error").at("code"), kUnverifiedResultCode);
  EXPECT_EQ(r->at("error").at("data").at("reason"), "unsigned_result");
}

class ListenBridgeTest : public ProxyTest {
 protected:
  void SetUp() override {
    remote_ = Remote(server_.url());
    ListenBridgeOptions o;
    o.token = NewProxyToken();
    token_ = o.token;
    auto b = ListenBridge::Start(*remote_, o);
    ASSERT_THAT(b, IsOk());
    bridge_ = std::move(*b);
  }
  net::HttpResponse Post(const json::Object& message, const std::string& authorization, const std::string& host = "",
                         const std::string& session = "") {
    net::HttpClient client(*net::ParseUrl(bridge_->url()));
    net::Headers h;
    h.Set("content-type", "application/json");
    h.Set("accept", "application/json, text/event-stream");
    if (!authorization.empty()) h.Set("authorization", authorization);
    if (!host.empty()) h.Set("host", host);
    if (!session.empty()) h.Set("mcp-session-id", session);
    h.Set("mcp-protocol-version", "2025-11-25");
    auto r = client.Send("POST", "/mcp", h, json::Serialize(message));
    EXPECT_THAT(r, IsOk());
    return r ? *r : net::HttpResponse{};
  }
  std::unique_ptr<RemoteEndpoint> remote_;
  std::unique_ptr<ListenBridge> bridge_;
  std::string token_;
};

TEST_F(ListenBridgeTest, RefusesCallersWithoutItsToken) {
  EXPECT_EQ(Post(Initialize(1), "").status, 401);
  EXPECT_EQ(Post(Initialize(1), "Bearer " + std::string(token_.size(), 'A')).status, 401);
  EXPECT_EQ(Post(Initialize(1), "Bearer " + token_.substr(1)).status, 401);
  EXPECT_EQ(Post(Initialize(1), "Bearer " + token_, "evil.example:80").status, 403);
  EXPECT_TRUE(server_.nonces().empty()) << "a refused caller reached the remote";
}

TEST_F(ListenBridgeTest, RelaysSignedRequestsAndTheSession) {
  auto init = Post(Initialize(1), "Bearer " + token_);
  ASSERT_EQ(init.status, 200) << init.body;
  auto session = init.headers.Get("mcp-session-id");
  ASSERT_TRUE(session.has_value());
  auto call = Post(Request(2, "tools/call", json::Object{{"name", "echo"}, {"arguments", json::Object{{"message", "via http"}}}}),
                   "Bearer " + token_, "", std::string(*session));
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_NE(call.body.find("via http"), std::string::npos) << call.body;
  EXPECT_EQ(server_.nonces().size(), 2u);
}

}  // namespace
}  // namespace aip::proxy
