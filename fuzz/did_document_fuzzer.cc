// Reading an untrusted DID document never crashes; any key it yields is controlled by the DID
// and listed for the purpose it was asked for.
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/identity/did_document.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = aip::json::ParseJson(text);
  if (!v) return 0;
  auto doc = aip::identity::DidDocument::FromJson(*v);
  if (!doc) return 0;
  for (const auto& m : doc->methods()) {
    auto k = doc->KeyFor(m.id, aip::identity::Purpose::kAuthentication);
    if (k && k->controller != doc->id()) __builtin_trap();
  }
  return 0;
}
