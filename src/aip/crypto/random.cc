#include "aip/crypto/random.h"

#include <sodium.h>

#include "aip/base/encoding.h"
#include "aip/crypto/sodium_init.h"

namespace aip::crypto {

void FillRandom(std::span<std::uint8_t> out) {
  EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

Bytes RandomBytes(std::size_t n) {
  Bytes b(n);
  FillRandom(b);
  return b;
}

std::string RandomId(std::size_t n_bytes) { return Base64UrlEncode(RandomBytes(n_bytes)); }

}  // namespace aip::crypto
