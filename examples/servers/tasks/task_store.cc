#include "task_store.h"

namespace aip::examples {

TaskStore::TaskStore() {
  Create("project-a", "Draft the Q3 roadmap");
  Create("project-a", "Review the security audit");
  Create("project-a", "Plan the launch");
  Create("project-b", "Migrate the billing database");
  Create("project-b", "Rotate the payment API keys");
}

std::vector<std::string> TaskStore::Projects() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [p, tasks] : projects_) out.push_back(p);
  return out;
}

std::optional<std::vector<Task>> TaskStore::List(const std::string& project) const {
  std::lock_guard lock(mu_);
  auto it = projects_.find(project);
  if (it == projects_.end()) return std::nullopt;
  return it->second;
}

Task TaskStore::Create(const std::string& project, const std::string& title) {
  std::lock_guard lock(mu_);
  Task t{next_id_++, title, false};
  projects_[project].push_back(t);
  return t;
}

std::optional<Task> TaskStore::Get(const std::string& project, int id) const {
  std::lock_guard lock(mu_);
  auto it = projects_.find(project);
  if (it == projects_.end()) return std::nullopt;
  for (const auto& t : it->second) {
    if (t.id == id) return t;
  }
  return std::nullopt;
}

}  // namespace aip::examples
