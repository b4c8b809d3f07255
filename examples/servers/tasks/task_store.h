// TaskStore: the example's in-memory task tracker, projects of tasks, safe for concurrent tools.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace aip::examples {

struct Task {
  int id = 0;
  std::string title;
  bool done = false;
};

class TaskStore {
 public:
  TaskStore();  // Seeded with project-a and project-b.
  std::vector<std::string> Projects() const;
  std::optional<std::vector<Task>> List(const std::string& project) const;
  Task Create(const std::string& project, const std::string& title);
  std::optional<Task> Get(const std::string& project, int id) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Task>> projects_;
  int next_id_ = 1;
};

}  // namespace aip::examples
