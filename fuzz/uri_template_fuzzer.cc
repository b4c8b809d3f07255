// URI templates: parsing never crashes, and expanding a template with the variables it matched
// gives back the URI it matched. Input: template, NUL, URI.
#include <cstdint>
#include <string_view>

#include "aip/mcp/uri_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return 0;
  auto t = aip::mcp::UriTemplate::Parse(text.substr(0, nul));
  if (!t) return 0;
  std::string_view uri = text.substr(nul + 1);
  if (auto vars = t->Match(uri); vars && t->Expand(*vars) != uri) __builtin_trap();
  return 0;
}
