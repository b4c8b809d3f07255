#include "tasks_server.h"

#include <charconv>
#include <thread>

namespace aip::examples {
namespace {

json::Value ProjectSchema() {
  return json::Object{{"type", "string"},
                      {"description", "Project name, e.g. project-a"},
                      {"pattern", "^[A-Za-z0-9_-]{1,64}$"},
                      {"x-mcp-header", "Project"}};
}

json::Object TaskJson(const std::string& project, const Task& t) {
  return json::Object{{"id", t.id}, {"project", project}, {"title", t.title}, {"done", t.done}};
}

std::vector<std::string> MatchingProjects(const TaskStore& store, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& p : store.Projects()) {
    if (p.starts_with(prefix)) out.push_back(p);
  }
  return out;
}

}  // namespace

std::unique_ptr<mcp::McpServer> MakeTasksServer(std::shared_ptr<TaskStore> store) {
  mcp::ServerOptions options;
  options.instructions = "A task tracker. Projects hold tasks; use list_tasks before create_task.";
  auto server = std::make_unique<mcp::McpServer>(mcp::Implementation{"example-tasks-server", "0.1.0", "Example Tasks"}, options);
  json::Object task_list_schema{
      {"type", "object"}, {"properties", json::Object{{"tasks", json::Object{{"type", "array"}}}}}, {"required", json::Array{"tasks"}}};

  mcp::ToolDef list;
  list.name = "list_tasks";
  list.title = "List tasks";
  list.description = "List the tasks of a project.";
  list.input_schema = json::Object{{"type", "object"},
                                   {"properties", json::Object{{"project", ProjectSchema()}}},
                                   {"required", json::Array{"project"}},
                                   {"additionalProperties", false}};
  list.output_schema = task_list_schema;
  list.annotations = json::Object{{"readOnlyHint", true}};
  list.handler = [store](const json::Object& args, mcp::ToolContext&) -> Result<mcp::ToolResult> {
    std::string project(args.at("project").as_string());
    auto tasks = store->List(project);
    if (!tasks) return mcp::ToolResult::Error("No such project: " + project);
    json::Array arr;
    for (const auto& t : *tasks) arr.emplace_back(TaskJson(project, t));
    json::Object structured{{"tasks", arr}};
    return mcp::ToolResult::Structured(std::move(structured));
  };
  (void)server->AddTool(std::move(list));

  mcp::ToolDef create;
  create.name = "create_task";
  create.title = "Create a task";
  create.description = "Create a task in a project.";
  create.input_schema = json::Object{
      {"type", "object"},
      {"properties",
       json::Object{{"project", ProjectSchema()}, {"title", json::Object{{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}}}},
      {"required", json::Array{"project", "title"}},
      {"additionalProperties", false}};
  create.handler = [store](const json::Object& args, mcp::ToolContext&) -> Result<mcp::ToolResult> {
    std::string project(args.at("project").as_string());
    Task t = store->Create(project, std::string(args.at("title").as_string()));
    return mcp::ToolResult::Text(json::Serialize(TaskJson(project, t)));
  };
  (void)server->AddTool(std::move(create));

  mcp::ToolDef exp;
  exp.name = "export_tasks";
  exp.title = "Export tasks";
  exp.description = "Export a project's tasks as CSV, reporting progress per task.";
  exp.input_schema = json::Object{{"type", "object"},
                                  {"properties", json::Object{{"project", ProjectSchema()}}},
                                  {"required", json::Array{"project"}},
                                  {"additionalProperties", false}};
  exp.annotations = json::Object{{"readOnlyHint", true}};
  exp.handler = [store](const json::Object& args, mcp::ToolContext& ctx) -> Result<mcp::ToolResult> {
    std::string project(args.at("project").as_string());
    auto tasks = store->List(project);
    if (!tasks) return mcp::ToolResult::Error("No such project: " + project);
    std::string csv = "id,title,done\n";
    double total = static_cast<double>(tasks->size());
    for (std::size_t i = 0; i < tasks->size(); ++i) {
      if (ctx.cancelled()) return mcp::ToolResult::Error("export cancelled");
      const Task& t = (*tasks)[i];
      csv += std::to_string(t.id) + ",\"" + t.title + "\"," + (t.done ? "true" : "false") + "\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Stands in for real work.
      ctx.Progress(static_cast<double>(i + 1), total, "exported task " + std::to_string(t.id));
    }
    return mcp::ToolResult::Text(csv);
  };
  (void)server->AddTool(std::move(exp));

  mcp::ResourceTemplateDef tmpl;
  tmpl.uri_template = "task://{project}/{id}";
  tmpl.name = "task";
  tmpl.title = "A task";
  tmpl.description = "One task as JSON.";
  tmpl.mime_type = "application/json";
  tmpl.read = [store](const std::string& uri, const std::map<std::string, std::string>& vars) -> Result<json::Array> {
    int id = 0;
    const std::string& s = vars.at("id");
    if (std::from_chars(s.data(), s.data() + s.size(), id).ec != std::errc()) return NotFoundError("no such task");
    auto t = store->Get(vars.at("project"), id);
    if (!t) return NotFoundError("no such task");
    return json::Array{
        json::Object{{"uri", uri}, {"mimeType", "application/json"}, {"text", json::Serialize(TaskJson(vars.at("project"), *t))}}};
  };
  tmpl.list = [store]() {
    std::vector<mcp::ResourceDef> out;
    for (const auto& p : store->Projects()) {
      std::vector<Task> tasks = store->List(p).value_or(std::vector<Task>{});
      for (const auto& t : tasks) {
        out.push_back({"task://" + p + "/" + std::to_string(t.id), p + " #" + std::to_string(t.id), t.title, "", "application/json"});
      }
    }
    return out;
  };
  tmpl.complete = [store](const std::string& var, const std::string& prefix) {
    return var == "project" ? MatchingProjects(*store, prefix) : std::vector<std::string>{};
  };
  (void)server->AddResourceTemplate(std::move(tmpl));

  mcp::PromptDef prompt;
  prompt.name = "summarize_project";
  prompt.title = "Summarize a project";
  prompt.description = "Ask for a short status summary of a project's tasks.";
  prompt.arguments = {{"project", "Project name", true}};
  prompt.get = [store](const std::map<std::string, std::string>& args, mcp::HandlerContext&) -> Result<json::Object> {
    const std::string& project = args.at("project");
    auto tasks = store->List(project);
    if (!tasks) return InvalidArgumentError("no such project: " + project);
    std::string text = "Summarize the status of project " + project + " in three sentences. Tasks:\n";
    for (const auto& t : *tasks) text += "- #" + std::to_string(t.id) + " " + t.title + (t.done ? " (done)" : "") + "\n";
    return json::Object{
        {"description", "Status summary of " + project},
        {"messages", json::Array{json::Object{{"role", "user"}, {"content", json::Object{{"type", "text"}, {"text", text}}}}}}};
  };
  prompt.complete = [store](const std::string& arg, const std::string& prefix) {
    return arg == "project" ? MatchingProjects(*store, prefix) : std::vector<std::string>{};
  };
  (void)server->AddPrompt(std::move(prompt));
  return server;
}

}  // namespace aip::examples
