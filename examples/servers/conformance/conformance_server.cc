#include "conformance_server.h"

#include <thread>

namespace aip::examples {
namespace {

using mcp::HandlerContext;
using mcp::ToolResult;

// A 1x1 red PNG and a minimal WAV (44-byte header, no samples).
constexpr const char* kPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr const char* kWav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

json::Object Text(std::string t) { return json::Object{{"type", "text"}, {"text", std::move(t)}}; }
json::Object Image() { return json::Object{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}; }

json::Object Elicit(std::string message, std::string prop, std::string type = "string") {
  return json::Object{
      {"method", "elicitation/create"},
      {"params", json::Object{{"message", std::move(message)},
                              {"requestedSchema", json::Object{{"type", "object"},
                                                               {"properties", json::Object{{prop, json::Object{{"type", type}}}}},
                                                               {"required", json::Array{json::Value(prop)}}}}}}};
}
json::Object Sample(std::string text, int max_tokens) {
  return json::Object{{"method", "sampling/createMessage"},
                      {"params", json::Object{{"messages", json::Array{json::Object{{"role", "user"}, {"content", Text(std::move(text))}}}},
                                              {"maxTokens", max_tokens}}}};
}
json::Object Roots() { return json::Object{{"method", "roots/list"}, {"params", json::Object{}}}; }

// Accepted returns content[field] of an accepted elicitation response, if it is a string.
std::optional<std::string> Accepted(const HandlerContext& ctx, const std::string& key, const std::string& field) {
  const json::Value* r = ctx.input_responses().if_contains(key);
  if (r == nullptr || !r->is_object() || json::OptionalString(r->get_object(), "action") != "accept") return std::nullopt;
  const json::Value* c = r->get_object().if_contains("content");
  if (c == nullptr || !c->is_object()) return std::nullopt;
  const json::Value* v = c->get_object().if_contains(field);
  if (v == nullptr) return std::nullopt;
  return v->is_string() ? std::string(v->get_string()) : json::Serialize(*v);
}

bool HasObject(const HandlerContext& ctx, const std::string& key) {
  const json::Value* r = ctx.input_responses().if_contains(key);
  return r != nullptr && r->is_object();
}

void Tool(mcp::McpServer& s, std::string name, std::string description, mcp::ToolHandler h,
          json::Value schema = json::Object{{"type", "object"}}) {
  mcp::ToolDef t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = std::move(schema);
  t.handler = std::move(h);
  (void)s.AddTool(std::move(t));
}

ToolResult Content(json::Array content) {
  ToolResult r;
  r.content = std::move(content);
  return r;
}

void AddContentTools(mcp::McpServer& s) {
  Tool(s, "test_simple_text", "Returns simple text", [](const json::Object&, HandlerContext&) -> Result<ToolResult> {
    return ToolResult::Text("This is a simple text response for testing.");
  });
  Tool(s, "test_image_content", "Returns an image",
       [](const json::Object&, HandlerContext&) -> Result<ToolResult> { return Content(json::Array{Image()}); });
  Tool(s, "test_audio_content", "Returns audio", [](const json::Object&, HandlerContext&) -> Result<ToolResult> {
    return Content(json::Array{json::Object{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}});
  });
  Tool(s, "test_embedded_resource", "Returns an embedded resource", [](const json::Object&, HandlerContext&) -> Result<ToolResult> {
    return Content(json::Array{json::Object{{"type", "resource"},
                                            {"resource", json::Object{{"uri", "test://embedded-resource"},
                                                                      {"mimeType", "text/plain"},
                                                                      {"text", "This is an embedded resource content."}}}}});
  });
  Tool(s, "test_multiple_content_types", "Returns text, image and resource",
       [](const json::Object&, HandlerContext&) -> Result<ToolResult> {
         return Content(json::Array{Text("Multiple content types test:"), Image(),
                                    json::Object{{"type", "resource"},
                                                 {"resource", json::Object{{"uri", "test://mixed-content-resource"},
                                                                           {"mimeType", "application/json"},
                                                                           {"text", R"({"test":"data","value":123})"}}}}});
       });
  Tool(s, "test_tool_with_logging", "Logs three messages", [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
    ctx.Log("info", "Tool execution started");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ctx.Log("info", "Tool processing data");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ctx.Log("info", "Tool execution completed");
    return ToolResult::Text("Tool with logging executed successfully");
  });
  Tool(s, "test_logging_tool", "Logs one message when the client asked for logs",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         ctx.Log("info", "log line from test_logging_tool");
         return ToolResult::Text("logged");
       });
  Tool(s, "test_error_handling", "Always fails", [](const json::Object&, HandlerContext&) -> Result<ToolResult> {
    return ToolResult::Error("This tool intentionally returns an error for testing");
  });
  Tool(s, "test_tool_with_progress", "Reports progress 0, 50, 100 of 100",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         for (double p : {0.0, 50.0, 100.0}) {
           ctx.Progress(p, 100.0);
           if (p < 100) std::this_thread::sleep_for(std::chrono::milliseconds(50));
         }
         return ToolResult::Text("Progress tool completed");
       });
  Tool(s, "test_missing_capability", "Needs the client's sampling capability",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (!ctx.HasClientCapability("sampling")) {
           ctx.FailMissingCapability("sampling");
           return ToolResult{};
         }
         return ToolResult::Text("sampling is available");
       });
  Tool(
      s, "test_custom_headers", "Mirrors its region argument into the Mcp-Param-Region header",
      [](const json::Object& a, HandlerContext&) -> Result<ToolResult> {
        return ToolResult::Text("region " + std::string(a.contains("region") ? a.at("region").as_string().c_str() : "-"));
      },
      *json::ParseJson(R"({"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}},"required":["region"]})"));
  auto schema = json::ParseJson(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
    "$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
    "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},
      "phone":{"type":"string"},"email":{"type":"string"}},
    "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
    "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
    "then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false})");
  Tool(
      s, "json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
      [](const json::Object&, HandlerContext&) -> Result<ToolResult> { return ToolResult::Text("ok"); }, *schema);
}

void AddInputRequiredTools(mcp::McpServer& s) {
  Tool(s, "test_input_required_result_elicitation", "Asks the user's name",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (auto name = Accepted(ctx, "user_name", "name")) return ToolResult::Text("Hello, " + *name + "!");
         ctx.RequireInput({json::Object{{"user_name", Elicit("What is your name?", "name")}}, ""});
         return ToolResult{};
       });
  Tool(s, "test_streaming_elicitation", "Asks for input on its response stream",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (auto v = Accepted(ctx, "answer", "value")) return ToolResult::Text("got " + *v);
         ctx.RequireInput({json::Object{{"answer", Elicit("Any value?", "value")}}, ""});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_sampling", "Asks the client's model a question",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         const json::Value* r = ctx.input_responses().if_contains("capital_question");
         if (r != nullptr && r->is_object() && r->get_object().contains("content")) {
           const json::Value& c = r->get_object().at("content");
           std::string text = c.is_object() && c.get_object().contains("text") ? std::string(c.at("text").as_string()) : json::Serialize(c);
           return ToolResult::Text("The model said: " + text);
         }
         ctx.RequireInput({json::Object{{"capital_question", Sample("What is the capital of France?", 100)}}, ""});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_list_roots", "Asks for the client's roots",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         const json::Value* r = ctx.input_responses().if_contains("client_roots");
         if (r != nullptr && r->is_object() && r->get_object().contains("roots") && r->at("roots").is_array()) {
           std::string uris;
           for (const auto& root : r->at("roots").as_array()) {
             if (root.is_object() && root.get_object().contains("uri")) uris += " " + json::Serialize(root.at("uri"));
           }
           return ToolResult::Text("Roots:" + uris);
         }
         ctx.RequireInput({json::Object{{"client_roots", Roots()}}, ""});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_request_state", "Round-trips requestState",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (ctx.request_state() == "awaiting-confirmation" && HasObject(ctx, "confirm")) {
           return ToolResult::Text("state-ok: the server validated its requestState");
         }
         ctx.RequireInput({json::Object{{"confirm", Elicit("Please confirm", "ok", "boolean")}}, "awaiting-confirmation"});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_tampered_state", "Rejects a tampered requestState",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         // A tampered token never reaches this handler: the SDK refuses it with -32602.
         if (ctx.request_state() == "integrity-checked" && HasObject(ctx, "confirm")) return ToolResult::Text("state-ok");
         ctx.RequireInput({json::Object{{"confirm", Elicit("Please confirm", "ok", "boolean")}}, "integrity-checked"});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_multiple_inputs", "Asks for three inputs at once",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (ctx.request_state() == "three-inputs" && HasObject(ctx, "user_name") && HasObject(ctx, "greeting") &&
             HasObject(ctx, "client_roots")) {
           return ToolResult::Text("Received all three inputs");
         }
         ctx.RequireInput({json::Object{{"user_name", Elicit("What is your name?", "name")},
                                        {"greeting", Sample("Generate a greeting", 50)},
                                        {"client_roots", Roots()}},
                           "three-inputs"});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_multi_round", "Asks twice, with evolving state",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         const std::string& state = ctx.request_state();
         if (state.starts_with("round-2:")) {
           if (auto color = Accepted(ctx, "step2", "color")) {
             return ToolResult::Text(state.substr(8) + " likes " + *color);
           }
           ctx.RequireInput({json::Object{{"step2", Elicit("Step 2: What is your favorite color?", "color")}}, state});
           return ToolResult{};
         }
         if (state == "round-1") {
           if (auto name = Accepted(ctx, "step1", "name")) {
             ctx.RequireInput({json::Object{{"step2", Elicit("Step 2: What is your favorite color?", "color")}}, "round-2:" + *name});
             return ToolResult{};
           }
         }
         ctx.RequireInput({json::Object{{"step1", Elicit("Step 1: What is your name?", "name")}}, "round-1"});
         return ToolResult{};
       });
  Tool(s, "test_input_required_result_capabilities", "Asks only for what the client supports",
       [](const json::Object&, HandlerContext& ctx) -> Result<ToolResult> {
         if (!ctx.input_responses().empty()) return ToolResult::Text("thanks");
         json::Object requests;
         if (ctx.HasClientCapability("sampling")) requests["question"] = Sample("Say hello", 20);
         if (ctx.HasClientCapability("elicitation")) requests["name"] = Elicit("What is your name?", "name");
         if (ctx.HasClientCapability("roots")) requests["roots"] = Roots();
         if (requests.empty()) return ToolResult::Text("the client supports no input requests");
         ctx.RequireInput({std::move(requests), ""});
         return ToolResult{};
       });
}

void AddResources(mcp::McpServer& s) {
  (void)s.AddResource({"test://static-text", "static-text", "Static text", "", "text/plain"},
                      [](const std::string& uri, const auto&) -> Result<json::Array> {
                        return json::Array{json::Object{
                            {"uri", uri}, {"mimeType", "text/plain"}, {"text", "This is the content of the static text resource."}}};
                      });
  (void)s.AddResource({"test://static-binary", "static-binary", "Static binary", "", "image/png"},
                      [](const std::string& uri, const auto&) -> Result<json::Array> {
                        return json::Array{json::Object{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}}};
                      });
  mcp::ResourceTemplateDef t;
  t.uri_template = "test://template/{id}/data";
  t.name = "template";
  t.mime_type = "application/json";
  t.read = [](const std::string& uri, const std::map<std::string, std::string>& v) -> Result<json::Array> {
    json::Object data{{"id", v.at("id")}, {"templateTest", true}, {"data", "Data for ID: " + v.at("id")}};
    return json::Array{json::Object{{"uri", uri}, {"mimeType", "application/json"}, {"text", json::Serialize(data)}}};
  };
  (void)s.AddResourceTemplate(std::move(t));
}

void Prompt(mcp::McpServer& s, std::string name, std::vector<mcp::PromptArgument> args,
            std::function<Result<json::Object>(const std::map<std::string, std::string>&, HandlerContext&)> get) {
  mcp::PromptDef p;
  p.description = "Conformance fixture " + name;
  p.name = std::move(name);
  p.arguments = std::move(args);
  p.get = std::move(get);
  if (p.name == "test_prompt_with_arguments") {
    p.complete = [](const std::string&, const std::string& prefix) {
      std::vector<std::string> out;
      for (std::string v : {"paris", "park", "party"}) {
        if (v.starts_with(prefix)) out.push_back(v);
      }
      return out;
    };
  }
  (void)s.AddPrompt(std::move(p));
}

json::Object Messages(json::Array messages) { return json::Object{{"messages", std::move(messages)}}; }
json::Object User(json::Object content) { return json::Object{{"role", "user"}, {"content", std::move(content)}}; }

void AddPrompts(mcp::McpServer& s) {
  Prompt(s, "test_simple_prompt", {}, [](const auto&, HandlerContext&) -> Result<json::Object> {
    return Messages(json::Array{User(Text("This is a simple prompt for testing."))});
  });
  Prompt(s, "test_prompt_with_arguments", {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}},
         [](const std::map<std::string, std::string>& a, HandlerContext&) -> Result<json::Object> {
           return Messages(json::Array{User(Text("Prompt with arguments: arg1='" + a.at("arg1") + "', arg2='" + a.at("arg2") + "'"))});
         });
  Prompt(s, "test_prompt_with_embedded_resource", {{"resourceUri", "URI of the resource to embed", true}},
         [](const std::map<std::string, std::string>& a, HandlerContext&) -> Result<json::Object> {
           return Messages(json::Array{User(json::Object{{"type", "resource"},
                                                         {"resource", json::Object{{"uri", a.at("resourceUri")},
                                                                                   {"mimeType", "text/plain"},
                                                                                   {"text", "Embedded resource content for testing."}}}}),
                                       User(Text("Please process the embedded resource above."))});
         });
  Prompt(s, "test_prompt_with_image", {}, [](const auto&, HandlerContext&) -> Result<json::Object> {
    return Messages(json::Array{User(Image()), User(Text("Please analyze the image above."))});
  });
  Prompt(s, "test_input_required_result_prompt", {}, [](const auto&, HandlerContext& ctx) -> Result<json::Object> {
    if (auto context = Accepted(ctx, "user_context", "context")) {
      return Messages(json::Array{User(Text("Use this context: " + *context))});
    }
    ctx.RequireInput({json::Object{{"user_context", Elicit("What context should the prompt use?", "context")}}, ""});
    return json::Object{};
  });
}

}  // namespace

std::unique_ptr<mcp::McpServer> MakeConformanceServer() {
  auto s = std::make_unique<mcp::McpServer>(mcp::Implementation{"example-conformance-server", "0.1.0", "Conformance fixtures"});
  AddContentTools(*s);
  AddInputRequiredTools(*s);
  AddResources(*s);
  AddPrompts(*s);
  return s;
}

}  // namespace aip::examples
