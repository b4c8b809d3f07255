#include "aip/mcp/test_server.h"

#include <thread>

namespace aip::mcp::testing {

std::unique_ptr<McpServer> MakeTestServer() {
  ServerOptions opts;
  opts.page_size = 2;  // Small pages so pagination is exercised.
  auto s = std::make_unique<McpServer>(Implementation{"test-server", "1.0.0", ""}, opts);
  ToolDef echo;
  echo.name = "echo";
  echo.description = "Echo a message";
  echo.input_schema =
      *json::ParseJson(R"({"type":"object","properties":{"message":{"type":"string","x-mcp-header":"Message"}},"required":["message"]})");
  echo.handler = [](const json::Object& a, ToolContext&) -> Result<ToolResult> {
    return ToolResult::Text(std::string(a.at("message").as_string()));
  };
  (void)s->AddTool(std::move(echo));
  ToolDef slow;
  slow.name = "slow";
  slow.description = "Counts to n with progress; stops when cancelled";
  slow.input_schema = *json::ParseJson(R"({"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":1000}}})");
  slow.handler = [](const json::Object& a, ToolContext& ctx) -> Result<ToolResult> {
    std::int64_t n = a.contains("n") ? a.at("n").as_int64() : 3;
    for (std::int64_t i = 1; i <= n; ++i) {
      if (ctx.cancelled()) return ToolResult::Error("cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      ctx.Progress(static_cast<double>(i), static_cast<double>(n));
    }
    ctx.Log("info", "done");
    return ToolResult::Text("counted to " + std::to_string(n));
  };
  (void)s->AddTool(std::move(slow));
  ToolDef fail;
  fail.name = "fail";
  fail.handler = [](const json::Object&, ToolContext&) -> Result<ToolResult> { return InternalError("boom"); };
  (void)s->AddTool(std::move(fail));
  (void)s->AddResource({"mem://readme", "readme", "Read me", "", "text/plain"},
                       [](const std::string& uri, const auto&) -> Result<json::Array> {
                         return json::Array{json::Object{{"uri", uri}, {"mimeType", "text/plain"}, {"text", "hello"}}};
                       });
  ResourceTemplateDef t;
  t.uri_template = "item://{group}/{id}";
  t.name = "item";
  t.read = [](const std::string& uri, const std::map<std::string, std::string>& v) -> Result<json::Array> {
    if (v.at("group") != "g") return NotFoundError("no such group");
    return json::Array{json::Object{{"uri", uri}, {"text", "item " + v.at("id")}}};
  };
  t.complete = [](const std::string&, const std::string& prefix) {
    std::vector<std::string> out;
    for (std::string g : {"g", "group-b", "other"}) {
      if (g.starts_with(prefix)) out.push_back(g);
    }
    return out;
  };
  (void)s->AddResourceTemplate(std::move(t));
  PromptDef p;
  p.name = "greet";
  p.arguments = {{"name", "Who to greet", true}};
  p.get = [](const std::map<std::string, std::string>& a, HandlerContext&) -> Result<json::Object> {
    return json::Object{
        {"messages",
         json::Array{json::Object{{"role", "user"}, {"content", json::Object{{"type", "text"}, {"text", "Hello " + a.at("name")}}}}}}};
  };
  p.complete = [](const std::string&, const std::string& prefix) { return std::vector<std::string>{prefix + "lice"}; };
  (void)s->AddPrompt(std::move(p));
  return s;
}

json::Object ModernMeta(json::Object extra) {
  extra["io.modelcontextprotocol/protocolVersion"] = "2026-07-28";
  extra["io.modelcontextprotocol/clientCapabilities"] = json::Object{};
  extra["io.modelcontextprotocol/clientInfo"] = json::Object{{"name", "test"}, {"version", "1"}};
  return extra;
}

}  // namespace aip::mcp::testing
