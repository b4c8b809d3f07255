// example-tasks-server: the task tracker over stdio or Streamable HTTP.
#include "serve_main.h"
#include "tasks_server.h"

int main(int argc, char** argv) {
  auto server = aip::examples::MakeTasksServer(std::make_shared<aip::examples::TaskStore>());
  return aip::examples::ServeMain(*server, argc, argv);
}
