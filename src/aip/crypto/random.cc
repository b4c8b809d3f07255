#include "aip/crypto/random.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "aip/base/encoding.h"
#include "aip/crypto/sodium_init.h"

namespace aip::crypto {

void FillRandom(std::span<std::uint8_t> out) {
  EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

void FillIdentifierRandom(std::span<std::uint8_t> out) {
  constexpr std::size_t kBuffer = 1024;
  thread_local std::array<std::uint8_t, kBuffer> buffer;
  thread_local std::size_t used = kBuffer;
  while (!out.empty()) {
    if (used == kBuffer) {
      FillRandom(buffer);
      used = 0;
    }
    std::size_t n = std::min(out.size(), kBuffer - used);
    std::copy_n(buffer.begin() + used, n, out.begin());
    sodium_memzero(buffer.data() + used, n);  // Each byte handed out once.
    used += n;
    out = out.subspan(n);
  }
}

Bytes RandomBytes(std::size_t n) {
  Bytes b(n);
  FillRandom(b);
  return b;
}

std::string RandomId(std::size_t n_bytes) { return Base64UrlEncode(RandomBytes(n_bytes)); }

}  // namespace aip::crypto
