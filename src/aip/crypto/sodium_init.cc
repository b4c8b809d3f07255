#include "aip/crypto/sodium_init.h"

#include <openssl/crypto.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace aip::crypto {

void EnsureSodium() {
  static const bool ok = [] { return sodium_init() >= 0; }();
  if (!ok) {
    std::fputs("aip: libsodium failed to initialize\n", stderr);
    std::abort();
  }
}

std::string LibraryVersions() { return std::string("libsodium ") + sodium_version_string() + ", " + OpenSSL_version(OPENSSL_VERSION); }

}  // namespace aip::crypto
