// A sealed message's plaintext is chosen by its sender, who may be hostile: the recipient parses
// and checks it after decrypting.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/registry/agent_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)aip::registry::CheckMessageDocument(std::string_view(reinterpret_cast<const char*>(data), size),
                                            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
  return 0;
}
