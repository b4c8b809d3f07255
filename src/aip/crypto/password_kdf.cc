#include "aip/crypto/password_kdf.h"

#include <sodium.h>

#include "aip/crypto/sodium_init.h"

namespace aip::crypto {

Result<SecretBytes> DeriveKey(const SecretBytes& passphrase, ByteSpan salt, const Argon2idParams& params) {
  EnsureSodium();
  if (salt.size() != kArgon2SaltSize) return InvalidArgumentError("Argon2id salt must be 16 bytes");
  if (params.ops_limit < crypto_pwhash_OPSLIMIT_MIN || params.ops_limit > kMaxArgon2Ops ||
      params.mem_limit_bytes < crypto_pwhash_MEMLIMIT_MIN || params.mem_limit_bytes > kMaxArgon2MemBytes) {
    return InvalidArgumentError("Argon2id parameters out of the accepted range");
  }
  SecretBytes key(32);
  ByteSpan pass = passphrase.RevealSecret();
  if (crypto_pwhash(key.MutableSecret().data(), key.size(), reinterpret_cast<const char*>(pass.data()), pass.size(), salt.data(),
                    params.ops_limit, static_cast<std::size_t>(params.mem_limit_bytes), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("Argon2id: out of memory");
  }
  return key;
}

}  // namespace aip::crypto
