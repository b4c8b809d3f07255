// The client SDK against aip's own servers: era negotiation, every request kind, progress,
// timeouts with cancellation, over stdio (a spawned server) and Streamable HTTP.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "aip/mcp/client.h"
#include "aip/mcp/http_transport.h"
#include "aip/mcp/stdio_transport.h"
#include "aip/mcp/test_server.h"
#include "aip/net/http_server.h"
#include "aip/testing/testing.h"

#ifndef AIP_TASKS_SERVER
#error "AIP_TASKS_SERVER must name the example-tasks-server binary"
#endif

namespace aip::mcp {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

void Exercise(McpClient& client) {
  ASSERT_THAT(client.Connect(), IsOk());
  EXPECT_TRUE(client.modern());
  EXPECT_EQ(client.protocol_version(), "2026-07-28");
  auto tools = client.ListTools();
  ASSERT_THAT(tools, IsOk());
  EXPECT_EQ(tools->size(), 3u);
  int progress = 0;
  auto exported = client.CallTool("export_tasks", json::Object{{"project", "project-a"}},
                                  [&](const json::Object& n) { progress += n.at("method") == "notifications/progress"; });
  ASSERT_THAT(exported, IsOk());
  EXPECT_GE(progress, 3);
  EXPECT_EQ(exported->at("resultType"), "complete");
  auto resource = client.ReadResource("task://project-a/1");
  ASSERT_THAT(resource, IsOk());
  EXPECT_NE(std::string(resource->at("contents").at(0).at("text").as_string()).find("roadmap"), std::string::npos);
  auto prompt = client.GetPrompt("summarize_project", json::Object{{"project", "project-b"}});
  ASSERT_THAT(prompt, IsOk());
  EXPECT_THAT(client.CallTool("no_such_tool", {}), StatusIs(ErrorCode::kInvalidArgument, "-32602"));
  EXPECT_THAT(client.Request("no/such/method", {}), StatusIs(ErrorCode::kInvalidArgument, "-32601"));
}

TEST(McpClientTest, TalksToTheTasksServerOverStdio) {
  auto transport = StdioClientTransport({AIP_TASKS_SERVER, "--stdio"});
  ASSERT_THAT(transport, IsOk());
  McpClient client(std::move(*transport));
  Exercise(client);
}

TEST(McpClientTest, FallsBackToLegacyWhenAskedNotToProbe) {
  auto transport = StdioClientTransport({AIP_TASKS_SERVER, "--stdio"});
  ASSERT_THAT(transport, IsOk());
  ClientOptions o;
  o.try_modern = false;
  McpClient client(std::move(*transport), o);
  ASSERT_THAT(client.Connect(), IsOk());
  EXPECT_FALSE(client.modern());
  EXPECT_EQ(client.protocol_version(), "2025-11-25");
  auto listed = client.ListTools();
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(listed->size(), 3u);
}

class HttpClientFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::MakeTestServer();
    transport_ = std::make_unique<StreamableHttpTransport>(*server_, StreamableHttpOptions{});
    auto s = net::HttpServer::Start({}, [this](const net::HttpRequest& r, net::Exchange& e) { transport_->Handle(r, e); });
    ASSERT_THAT(s, IsOk());
    http_ = std::move(*s);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp"; }
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<StreamableHttpTransport> transport_;
  std::unique_ptr<net::HttpServer> http_;
};

TEST_F(HttpClientFixture, PagesThroughListsAndStreamsProgress) {
  auto t = HttpClientTransport(Url());
  ASSERT_THAT(t, IsOk());
  McpClient client(std::move(*t));
  ASSERT_THAT(client.Connect(), IsOk());
  auto tools = client.ListTools();  // Page size 2: the client follows nextCursor.
  ASSERT_THAT(tools, IsOk());
  EXPECT_EQ(tools->size(), 3u);
  int progress = 0;
  auto r = client.CallTool("slow", json::Object{{"n", 3}}, [&](const json::Object&) { ++progress; });
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(progress, 3);
}

TEST_F(HttpClientFixture, LegacySessionIsKeptAndClosed) {
  auto t = HttpClientTransport(Url());
  ClientOptions o;
  o.try_modern = false;
  McpClient client(std::move(*t), o);
  ASSERT_THAT(client.Connect(), IsOk());
  EXPECT_EQ(transport_->session_count(), 1u);
  ASSERT_THAT(client.CallTool("echo", json::Object{{"message", "x"}}), IsOk());
  client.Close();  // DELETE ends the session.
  EXPECT_EQ(transport_->session_count(), 0u);
}

TEST(McpClientTest, AShortTimeoutFailsInsteadOfHanging) {
  auto transport = StdioClientTransport({AIP_TASKS_SERVER, "--stdio"});
  ASSERT_THAT(transport, IsOk());
  ClientOptions o;
  o.timeout = std::chrono::milliseconds(1);
  McpClient client(std::move(*transport), o);
  // Even discovery cannot finish in 1 ms against a spawned process: a timeout, not a hang.
  Status s = client.Connect();
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace aip::mcp

namespace aip::mcp {
namespace {

// More requests than the stdio server will run at once: the extra ones are refused at once
// ("Server busy") instead of each getting a thread.
TEST(StdioServerTest, CapsRequestsInProgress) {
  auto server = testing::MakeTestServer();
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  std::thread serving([&] {
    StdioOptions o;
    o.max_in_flight = 1;
    (void)ServeStdio(*server, in[0], out[1], o);
    ::close(out[1]);
  });
  std::string lines = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow","arguments":{"n":30}}})"
                      "\n"
                      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"slow","arguments":{"n":1}}})"
                      "\n";
  ASSERT_EQ(::write(in[1], lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  ::close(in[1]);
  serving.join();
  std::string output;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) output.append(buf, static_cast<std::size_t>(n));
  ::close(in[0]);
  ::close(out[0]);
  EXPECT_NE(output.find(R"("id":2,"error")"), std::string::npos) << output;
  EXPECT_NE(output.find("Server busy"), std::string::npos);
  EXPECT_NE(output.find("counted to 30"), std::string::npos);  // The first request still finished.
}

}  // namespace
}  // namespace aip::mcp
