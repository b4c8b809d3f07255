// RFC 8941 dictionaries as Signature-Input, Signature and Signature-Agent arrive (and Content-Digest
// checks): parsing never crashes; a parsed member re-serializes to one that parses the same (inner
// lists with their component parameters, items); and a signature base over a parsed inner list —
// `key=` members of a dictionary field, `req` without a request — is built or refused, never
// undefined.
#include <cstdint>
#include <string_view>

#include "aip/httpsig/message_signature.h"
#include "aip/httpsig/structured_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aip::httpsig;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)CheckContentDigest(text, "body");
  auto dict = ParseDictionary(text);
  if (!dict) return 0;
  aip::net::Headers headers;
  headers.Set("signature-agent", std::string(text));  // The same text as a dictionary field.
  HttpMessage m{"GET", "https://example.com/a?b", &headers};
  for (const auto& [key, member] : *dict) {
    auto again = ParseDictionary(key + "=" + SerializeMember(member));
    if (!again || again->size() != 1 || SerializeMember(again->at(0).second) != SerializeMember(member)) __builtin_trap();
    if (const auto* list = std::get_if<InnerList>(&member)) {
      const auto* l2 = std::get_if<InnerList>(&again->at(0).second);
      if (l2 == nullptr || l2->strings != list->strings || l2->params.items.size() != list->params.items.size()) __builtin_trap();
      (void)SignatureBase(m, *list);
    }
  }
  return 0;
}
