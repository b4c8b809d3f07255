// RFC 8941 dictionaries as Signature-Input and Signature arrive (and Content-Digest checks):
// parsing never crashes, and a parsed inner list re-serializes to one that parses the same.
#include <cstdint>
#include <string_view>

#include "aip/httpsig/message_signature.h"
#include "aip/httpsig/structured_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)aip::httpsig::CheckContentDigest(text, "body");
  auto dict = aip::httpsig::ParseDictionary(text);
  if (!dict) return 0;
  for (const auto& [key, member] : *dict) {
    if (const auto* list = std::get_if<aip::httpsig::InnerList>(&member)) {
      auto again = aip::httpsig::ParseDictionary(key + "=" + aip::httpsig::SerializeInnerList(*list));
      if (!again || again->size() != 1) __builtin_trap();
      const auto* l2 = std::get_if<aip::httpsig::InnerList>(&again->at(0).second);
      if (l2 == nullptr || l2->strings != list->strings || l2->params.items.size() != list->params.items.size()) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
