// Argon2id passphrase-based key derivation (libsodium crypto_pwhash) for encrypting key files.
// Costs are stored with each file and bounded on read, so a crafted file cannot demand gigabytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "aip/base/bytes.h"
#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"

namespace aip::crypto {

struct Argon2idParams {
  std::uint64_t ops_limit = 3;
  std::uint64_t mem_limit_bytes = 64ull * 1024 * 1024;
};

inline constexpr std::size_t kArgon2SaltSize = 16;
inline constexpr std::uint64_t kMaxArgon2MemBytes = 1024ull * 1024 * 1024;
inline constexpr std::uint64_t kMaxArgon2Ops = 20;

// DeriveKey returns a 32-byte key from `passphrase` and a 16-byte `salt`.
Result<SecretBytes> DeriveKey(const SecretBytes& passphrase, ByteSpan salt, const Argon2idParams& params);

}  // namespace aip::crypto
