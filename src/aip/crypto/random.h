// The CSPRNG (libsodium's randombytes: getrandom(2) on Linux).
#pragma once

#include <cstddef>
#include <string>

#include "aip/base/bytes.h"

namespace aip::crypto {

Bytes RandomBytes(std::size_t n);
void FillRandom(std::span<std::uint8_t> out);
// FillIdentifierRandom fills `out` with CSPRNG output served from a per-thread buffer (one
// getrandom(2) per 1 KiB), for identifiers that must not be guessed but are no key (trace and
// span ids, which the gateway makes on every call). Keys, nonces and secrets use FillRandom:
// a buffer of future output in memory is one more thing a memory disclosure would reveal.
void FillIdentifierRandom(std::span<std::uint8_t> out);
// RandomId returns `n_bytes` of randomness as base64url text (nonces, identifiers).
std::string RandomId(std::size_t n_bytes = 16);

}  // namespace aip::crypto
