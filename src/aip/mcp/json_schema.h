// A JSON Schema validator for the subset MCP tool input schemas use: type, properties, required,
// enum, const, minimum/maximum (and exclusive forms), minLength/maxLength, pattern (RE2: linear
// time, no ReDoS), items, minItems/maxItems, additionalProperties, allOf/anyOf/oneOf,
// if/then/else, and local
// $ref ("#/..."). A $ref to anything else is refused at compile time: schemas never fetch.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace re2 {
class RE2;
}

namespace aip::mcp {

class JsonSchema {
 public:
  // Compile checks `schema` and prepares its patterns; kInvalidArgument names the bad keyword.
  static Result<JsonSchema> Compile(const json::Value& schema);

  // Validate returns OK or kInvalidArgument "<path>: <problem>" for the first violation.
  Status Validate(const json::Value& instance) const;

  // ValidateAgainst validates against a definition inside this schema ("#/$defs/Tool").
  Status ValidateAgainst(std::string_view ref, const json::Value& instance) const;

  const json::Value& schema() const { return *schema_; }

 private:
  Status Check(const json::Value& schema, const json::Value& v, const std::string& path, int depth) const;
  const json::Value* Resolve(std::string_view ref) const;

  std::shared_ptr<const json::Value> schema_;
  std::shared_ptr<const std::map<std::string, std::shared_ptr<re2::RE2>>> patterns_;
};

}  // namespace aip::mcp
