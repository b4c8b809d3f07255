// Tool and prompt definitions arrive from MCP servers nobody vouched for yet: the gateway and
// aip proxy hash, diff and verify every listing they fetch (docs/tool-integrity.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/mcpsig/definition_proof.h"
#include "aip/pins/definition_pin.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aip::json::ParseLimits limits;
  limits.max_depth = 64;
  auto result = aip::json::ParseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (!result) return 0;
  // As a listing result: its page proof, and each item as a definition.
  if (const aip::json::Value* tools = result->if_contains("tools"); tools != nullptr && tools->is_array()) {
    (void)aip::mcpsig::VerifyListProof("tools", tools->get_array(), *result);
    const aip::json::Value* previous = nullptr;
    for (const auto& item : tools->get_array()) {
      if (!item.is_object()) continue;
      (void)aip::pins::DefinitionHash(item.get_object());
      (void)aip::mcpsig::VerifyDefinitionProof(item.get_object());
      if (previous != nullptr) (void)aip::pins::Diff(*previous, item, 16);
      previous = &item;
    }
  }
  // As one definition.
  (void)aip::pins::DefinitionHash(*result);
  (void)aip::mcpsig::VerifyDefinitionProof(*result);
  (void)aip::pins::Diff(aip::json::Value(*result), aip::json::Value(aip::json::Object{}), 16);
  return 0;
}
