// The example task tracker as an MCP server: tools list_tasks, create_task, export_tasks
// (streams progress), resources task://{project}/{id}, prompt summarize_project, completions
// for project names. Later examples use it to show "project A allowed, project B denied".
#pragma once

#include <memory>

#include "aip/mcp/server.h"
#include "task_store.h"

namespace aip::examples {

std::unique_ptr<mcp::McpServer> MakeTasksServer(std::shared_ptr<TaskStore> store);

}  // namespace aip::examples
