// The TOML reader must refuse or accept any input without undefined behaviour, and whatever it
// accepts must be a document whose every recorded line lies within the input.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "aip/base/toml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = aip::toml::Parse(text, "fuzz.toml");
  if (doc) {
    auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const auto& [pointer, line] : doc->lines) {
      if (line < 1 || line > lines) __builtin_trap();
    }
    (void)aip::json::Serialize(doc->root);
  }
  return 0;
}
