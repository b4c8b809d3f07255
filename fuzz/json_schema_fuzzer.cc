// A hostile tool input schema and a hostile instance: compiling and validating never crash or
// run away (RE2 patterns, bounded $ref depth). The input is split at the first NUL byte into
// schema and instance.
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/mcp/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return 0;
  auto schema = aip::json::ParseJson(text.substr(0, nul));
  auto instance = aip::json::ParseJson(text.substr(nul + 1));
  if (!schema || !instance) return 0;
  auto compiled = aip::mcp::JsonSchema::Compile(*schema);
  if (compiled) (void)compiled->Validate(*instance);
  return 0;
}
