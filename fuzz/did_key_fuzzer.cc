// did:key parsing never crashes, and an accepted DID round-trips through its key.
#include <cstdint>
#include <string_view>

#include "aip/identity/did_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view did(reinterpret_cast<const char*>(data), size);
  auto key = aip::identity::PublicKeyFromDidKey(did);
  if (key && aip::identity::DidKeyFromPublicKey(*key) != did) __builtin_trap();
  return 0;
}
