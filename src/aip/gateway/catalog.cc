#include "aip/gateway/catalog.h"

namespace aip::gateway {

void Catalog::Index() {
  auto build = [](const json::Array& list, std::string_view field, IndexMap& index) {
    index.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json::Value* key = list[i].is_object() ? list[i].get_object().if_contains(field) : nullptr;
      if (key != nullptr && key->is_string()) index.emplace(std::string(key->get_string()), i);
    }
  };
  build(tools, "name", tool_index_);
  build(prompts, "name", prompt_index_);
  build(resources, "uri", resource_index_);
}

const json::Object* Catalog::Find(const IndexMap& index, const json::Array& list, std::string_view key) {
  auto it = index.find(key);
  return it == index.end() ? nullptr : &list[it->second].get_object();
}

}  // namespace aip::gateway
