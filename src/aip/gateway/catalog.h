// Catalog: what one upstream offers (tools, resources, resource templates, prompts and its
// capabilities), as it listed them, with lookups by name built once when the lists are read —
// a call finds its tool without scanning every upstream's list.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aip/base/json.h"

namespace aip::gateway {

class Catalog {
 public:
  json::Array tools, resources, resource_templates, prompts;
  json::Object capabilities;
  // Tools, prompts and resource templates the upstream listed but the definition guard withholds
  // (definition_guard.h), by name: why ("changed", "unapproved", "bad_signature", …). They are not
  // in the lists (a withheld template matches no resource URI).
  std::map<std::string, std::string, std::less<>> withheld_tools, withheld_prompts, withheld_templates;

  // Index builds the lookups below from the lists; call it once they are complete. Entries
  // without a string name (uri for resources) are not indexed; a repeated name keeps its first.
  void Index();
  const json::Object* Tool(std::string_view name) const { return Find(tool_index_, tools, name); }
  const json::Object* Prompt(std::string_view name) const { return Find(prompt_index_, prompts, name); }
  const json::Object* Resource(std::string_view uri) const { return Find(resource_index_, resources, uri); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  using IndexMap = std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>>;
  static const json::Object* Find(const IndexMap& index, const json::Array& list, std::string_view key);

  IndexMap tool_index_, prompt_index_, resource_index_;
};

}  // namespace aip::gateway
