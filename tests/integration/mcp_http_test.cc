// The Streamable HTTP server under hostile and concurrent use, on loopback: every bad request
// gets the documented status and JSON-RPC code, and the server keeps answering others.
#include <gtest/gtest.h>

#include <thread>

#include "aip/mcp/http_transport.h"
#include "aip/mcp/test_server.h"
#include "aip/net/http_client.h"
#include "aip/net/http_server.h"
#include "aip/testing/testing.h"
#include "raw_http.h"

namespace aip::mcp {
namespace {

using ::aip::testing::IsOk;

class McpHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net::RaiseFileLimit();
    server_ = testing::MakeTestServer();
    transport_ = std::make_unique<StreamableHttpTransport>(*server_, StreamableHttpOptions{});
    net::HttpServerOptions o;
    o.max_body_bytes = 64 * 1024;
    o.request_timeout = std::chrono::milliseconds(1500);
    auto s = net::HttpServer::Start(o, [this](const net::HttpRequest& r, net::Exchange& e) { transport_->Handle(r, e); });
    ASSERT_THAT(s, IsOk());
    http_ = std::move(*s);
    url_ = "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp";
  }
  void TearDown() override { http_->Stop(std::chrono::seconds(2)); }

  net::HttpResponse Post(const std::string& body, net::Headers h = {}) {
    net::HttpClient c(*net::ParseUrl(url_));
    if (!h.Get("content-type")) h.Set("content-type", "application/json");
    if (!h.Get("accept")) h.Set("accept", "application/json, text/event-stream");
    auto r = c.Send("POST", "/mcp", h, body);
    EXPECT_THAT(r, IsOk());
    return r ? *r : net::HttpResponse{};
  }
  static int Code(const net::HttpResponse& r) {
    auto o = json::ParseJsonObject(r.body);
    if (!o || !o->contains("error")) return 0;
    return static_cast<int>(o->at("error").at("code").as_int64());
  }
  std::string Initialize() {
    auto r = Post(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    EXPECT_EQ(r.status, 200);
    auto sid = r.headers.Get("mcp-session-id");
    EXPECT_TRUE(sid.has_value());
    return sid ? std::string(*sid) : "";
  }
  static std::string Modern(const std::string& method, const std::string& params_members) {
    return R"({"jsonrpc":"2.0","id":5,"method":")" + method + R"(","params":{)" + params_members + (params_members.empty() ? "" : ",") +
           R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  }
  static net::Headers ModernHeaders(const std::string& method, const std::string& name = "") {
    net::Headers h;
    h.Set("mcp-protocol-version", "2026-07-28");
    h.Set("mcp-method", method);
    if (!name.empty()) h.Set("mcp-name", name);
    return h;
  }

  std::unique_ptr<McpServer> server_;
  std::unique_ptr<StreamableHttpTransport> transport_;
  std::unique_ptr<net::HttpServer> http_;
  std::string url_;
};

TEST_F(McpHttpTest, MalformedMessagesGetJsonRpcErrors) {
  auto r = Post("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kParseError);
  r = Post(R"({"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"})");
  EXPECT_EQ(Code(r), kParseError);
  r = Post(R"({"hello":"world"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kInvalidRequest);
  r = Post(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(Code(r), kInvalidRequest);
  net::Headers text;
  text.Set("content-type", "text/plain");
  EXPECT_EQ(Post("{}", text).status, 415);
  net::Headers xml;
  xml.Set("accept", "application/xml");
  EXPECT_EQ(Post("{}", xml).status, 406);
}

TEST_F(McpHttpTest, OversizedBodyIs413) {
  std::string big = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" + std::string(100 * 1024, 'x') + "\"}}";
  int fd = ::aip::testing::ConnectLoopback(http_->port());
  ASSERT_GE(fd, 0);
  ::aip::testing::SendAll(fd, ::aip::testing::RawPost("/mcp", big));
  std::string reply = ::aip::testing::ReadUntil(fd, "\r\n\r\n", std::chrono::seconds(5));
  ::close(fd);
  EXPECT_NE(reply.find("HTTP/1.1 413"), std::string::npos) << reply;
  EXPECT_EQ(Code(Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")), kInvalidRequest);  // Still serving (no session).
}

TEST_F(McpHttpTest, BadOriginAndHostAre403) {
  net::Headers evil;
  evil.Set("origin", "https://evil.example");
  auto r = Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", evil);
  EXPECT_EQ(r.status, 403);
  net::Headers local;
  local.Set("origin", "http://localhost:3000");
  EXPECT_NE(Post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", local).status, 403);
  int fd = ::aip::testing::ConnectLoopback(http_->port());
  std::string body = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  ::aip::testing::SendAll(fd, "POST /mcp HTTP/1.1\r\nHost: attacker.example:80\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string reply = ::aip::testing::ReadUntil(fd, "\r\n\r\n", std::chrono::seconds(5));
  ::close(fd);
  EXPECT_NE(reply.find("HTTP/1.1 403"), std::string::npos) << reply;
}

TEST_F(McpHttpTest, LegacySessionsAreRequiredAndEnd) {
  net::Headers none;
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").status, 400);
  net::Headers unknown;
  unknown.Set("mcp-session-id", "not-a-session");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", unknown).status, 404);
  std::string sid = Initialize();
  for (char c : sid) EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
  EXPECT_GE(sid.size(), 32u);
  net::Headers h;
  h.Set("mcp-session-id", sid);
  auto list = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", h);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(Code(list), 0);
  EXPECT_EQ(Code(Post(R"({"jsonrpc":"2.0","id":3,"method":"nope"})", h)), kMethodNotFound);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h).status, 202);
  net::Headers bad_version = h;
  bad_version.Set("mcp-protocol-version", "1999-01-01");
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", bad_version).status, 400);
  net::HttpClient c(*net::ParseUrl(url_));
  EXPECT_EQ(c.Send("DELETE", "/mcp", h, "")->status, 200);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", h).status, 404);
}

TEST_F(McpHttpTest, ModernHeadersMustMatchTheBody) {
  auto ok = Post(Modern("tools/call", R"("name":"echo","arguments":{"message":"hi"})"), [] {
    auto h = ModernHeaders("tools/call", "echo");
    h.Set("mcp-param-message", "hi");
    return h;
  }());
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Code(ok), 0);
  auto wrong_method = Post(Modern("tools/call", R"("name":"echo","arguments":{"message":"hi"})"), ModernHeaders("tools/list"));
  EXPECT_EQ(wrong_method.status, 400);
  EXPECT_EQ(Code(wrong_method), kHeaderMismatch);
  auto wrong_name = Post(Modern("tools/call", R"("name":"echo","arguments":{"message":"hi"})"), [] {
    auto h = ModernHeaders("tools/call", "slow");
    h.Set("mcp-param-message", "hi");
    return h;
  }());
  EXPECT_EQ(Code(wrong_name), kHeaderMismatch);
  auto wrong_param = Post(Modern("tools/call", R"("name":"echo","arguments":{"message":"hi"})"), [] {
    auto h = ModernHeaders("tools/call", "echo");
    h.Set("mcp-param-message", "bye");
    return h;
  }());
  EXPECT_EQ(Code(wrong_param), kHeaderMismatch);
  auto b64 = Post(Modern("tools/call", R"("name":"echo","arguments":{"message":"héllo"})"), [] {
    auto h = ModernHeaders("tools/call", "echo");
    h.Set("mcp-param-message", "=?base64?aMOpbGxv?=");
    return h;
  }());
  EXPECT_EQ(Code(b64), 0) << b64.body;
  auto missing_version = Post(Modern("tools/list", ""), [] {
    net::Headers h;
    h.Set("mcp-method", "tools/list");
    return h;
  }());
  EXPECT_EQ(Code(missing_version), kHeaderMismatch);
  auto unknown = Post(Modern("no/such", ""), ModernHeaders("no/such"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), kMethodNotFound);
  auto bad_version = Post(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2030-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})",
      [] {
        net::Headers h;
        h.Set("mcp-protocol-version", "2030-01-01");
        h.Set("mcp-method", "tools/list");
        return h;
      }());
  EXPECT_EQ(bad_version.status, 400);
  EXPECT_EQ(Code(bad_version), kUnsupportedProtocolVersion);
  net::HttpClient c(*net::ParseUrl(url_));
  EXPECT_EQ(c.Send("GET", "/mcp", ModernHeaders("tools/list"), "")->status, 405);
}

TEST_F(McpHttpTest, StreamsProgressAsServerSentEvents) {
  net::HttpClient c(*net::ParseUrl(url_));
  net::Headers h = ModernHeaders("tools/call", "slow");
  h.Set("content-type", "application/json");
  h.Set("accept", "application/json, text/event-stream");
  std::vector<json::Object> events;
  // A tools/call with a progress token is answered as an SSE stream.
  std::string body =
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow","arguments":{"n":4},"_meta":{"progressToken":"p","io.modelcontextprotocol/logLevel":"info","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  auto s = c.Send("POST", "/mcp", h, body, [&](const net::SseEvent& e) { events.push_back(*json::ParseJsonObject(e.data)); });
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->headers.Get("content-type").value_or(""), "text/event-stream");
  ASSERT_EQ(events.size(), 6u);  // Four progress notifications, the tool's log line, the response.
  EXPECT_EQ(events[0].at("method"), "notifications/progress");
  EXPECT_EQ(events[4].at("method"), "notifications/message");
  EXPECT_EQ(events[5].at("id"), 9);
  EXPECT_EQ(events[5].at("result").at("content").at(0).at("text"), "counted to 4");
}

TEST_F(McpHttpTest, ClientLeavingMidStreamCancelsAndServerStaysUp) {
  int fd = ::aip::testing::ConnectLoopback(http_->port());
  std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"n":1000},"_meta":{"progressToken":1,"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  ::aip::testing::SendAll(
      fd, ::aip::testing::RawPost("/mcp", body, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: slow\r\n"));
  std::string first = ::aip::testing::ReadUntil(fd, "notifications/progress", std::chrono::seconds(5));
  EXPECT_NE(first.find("notifications/progress"), std::string::npos);
  ::close(fd);  // Leave mid-stream.
  auto r = Post(Modern("tools/list", ""), ModernHeaders("tools/list"));
  EXPECT_EQ(Code(r), 0);
  // The 1000-step tool (10 s) was cancelled: its request ends long before it would have.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (http_->active_requests() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(http_->active_requests(), 0) << "the abandoned tool call still runs";
}

TEST_F(McpHttpTest, ThousandIdleConnectionsDoNotStarveOthers) {
  // From another address: it may hold 512 connections (the default cap); the rest are closed as
  // soon as they are accepted, and a client at 127.0.0.1 is served at once throughout.
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = ::aip::testing::ConnectLoopback(http_->port(), "127.0.0.2");
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  auto start = std::chrono::steady_clock::now();
  auto r = Post(Modern("tools/list", ""), ModernHeaders("tools/list"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(took, std::chrono::seconds(2));
  for (int i = 0; i < 100 && http_->refused_connections("address") < 488; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(http_->refused_connections("address"), 488u);
  EXPECT_LE(http_->open_connections(), 513u);  // 512 idle ones and at most the Post's own.
  for (int fd : idle) ::close(fd);
}

TEST_F(McpHttpTest, ASlowlorisIsCutOffAtTheRequestTimeout) {
  int fd = ::aip::testing::ConnectLoopback(http_->port());
  ASSERT_GE(fd, 0);
  std::string request = ::aip::testing::RawPost("/mcp", Modern("tools/list", ""));
  auto start = std::chrono::steady_clock::now();
  bool open = true;
  // One byte every 50 ms: the whole request would take far longer than the 1.5 s allowed.
  for (std::size_t i = 0; i < request.size() && open; ++i) {
    open = ::aip::testing::SendAll(fd, request.substr(i, 1));
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) break;  // The server closed (or answered): stop dripping.
  }
  std::string rest = ::aip::testing::ReadUntil(fd, "\r\n\r\n", std::chrono::seconds(5));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(rest.find("200 OK"), std::string::npos) << rest;
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  EXPECT_GE(took, std::chrono::milliseconds(1400));
  ::close(fd);
}

TEST_F(McpHttpTest, LegacyGetStreamStaysOpenWithKeepalives) {
  std::string sid = Initialize();
  int fd = ::aip::testing::ConnectLoopback(http_->port());
  ::aip::testing::SendAll(fd, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + sid + "\r\n\r\n");
  std::string head = ::aip::testing::ReadUntil(fd, "\r\n\r\n", std::chrono::seconds(5));
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("text/event-stream"), std::string::npos);
  ::close(fd);
  net::HttpClient c(*net::ParseUrl(url_));
  net::Headers h;
  h.Set("accept", "text/event-stream");
  EXPECT_EQ(c.Send("GET", "/mcp", h, "")->status, 400);  // No session.
}

TEST_F(McpHttpTest, StopWaitsForRequestsInProgress) {
  std::string result;
  std::thread caller([&] {
    auto r = Post(Modern("tools/call", R"("name":"slow","arguments":{"n":30})"), ModernHeaders("tools/call", "slow"));
    result = r.body;
  });
  // Stop once the request is in progress (not after a fixed sleep: on a loaded machine the
  // request may not have arrived yet, and a request still arriving is not waited for).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (http_->active_requests() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(http_->active_requests(), 1);
  http_->Stop(std::chrono::seconds(5));
  caller.join();
  EXPECT_NE(result.find("counted to 30"), std::string::npos) << result;
}

}  // namespace
}  // namespace aip::mcp

namespace aip::net {
namespace {

// With handler_threads, handlers that block (a gateway waiting on an upstream) run on their own
// pool: one I/O thread keeps serving other connections, responses and streams still arrive whole.
TEST(HttpServerHandlerPoolTest, BlockingHandlersDoNotStallOtherConnections) {
  HttpServerOptions o;
  o.threads = 1;
  o.handler_threads = 4;
  auto s = HttpServer::Start(o, [](const HttpRequest& r, Exchange& e) {
    if (r.target == "/slow") std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (r.target == "/stream") {
      Headers h;
      h.Set("content-type", "text/event-stream");
      ResponseStream& out = e.BeginStream(200, h);
      for (int i = 0; i < 3; ++i) out.Write("data: " + std::to_string(i) + "\n\n");
      return;
    }
    HttpResponse res;
    res.status = 200;
    res.body = "ok " + r.target;
    e.Respond(std::move(res));
  });
  ASSERT_THAT(s, ::aip::testing::IsOk());
  auto url = *ParseUrl("http://127.0.0.1:" + std::to_string((*s)->port()));
  std::vector<std::thread> slow;
  for (int i = 0; i < 3; ++i) {
    slow.emplace_back([url] { EXPECT_EQ(HttpClient(url).Send("GET", "/slow", {}, "")->body, "ok /slow"); });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*s)->active_requests() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ((*s)->active_requests(), 3) << "the slow requests did not all start";
  auto start = std::chrono::steady_clock::now();
  auto fast = HttpClient(url).Send("GET", "/fast", {}, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
  EXPECT_EQ(fast->body, "ok /fast");
  auto streamed = HttpClient(url).Send("GET", "/stream", {}, "");
  EXPECT_EQ(streamed->body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  (*s)->Stop(std::chrono::seconds(5));  // Waits for the slow handlers.
  for (auto& t : slow) t.join();
}

}  // namespace
}  // namespace aip::net
