// The CSPRNG (libsodium's randombytes: getrandom(2) on Linux).
#pragma once

#include <cstddef>
#include <string>

#include "aip/base/bytes.h"

namespace aip::crypto {

Bytes RandomBytes(std::size_t n);
void FillRandom(std::span<std::uint8_t> out);
// RandomId returns `n_bytes` of randomness as base64url text (nonces, identifiers).
std::string RandomId(std::size_t n_bytes = 16);

}  // namespace aip::crypto
