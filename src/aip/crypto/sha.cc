#include "aip/crypto/sha.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>

namespace aip::crypto {
namespace {

[[noreturn]] void Die(const char* what) {
  // Hashing fixed-size inputs cannot fail short of memory exhaustion or a broken library.
  std::fprintf(stderr, "aip: OpenSSL %s failed\n", what);
  std::abort();
}

}  // namespace

Sha256Digest Sha256(ByteSpan data) {
  Sha256Digest d;
  if (SHA256(data.data(), data.size(), d.data()) == nullptr) Die("SHA256");
  return d;
}

Sha512Digest Sha512(ByteSpan data) {
  Sha512Digest d;
  if (SHA512(data.data(), data.size(), d.data()) == nullptr) Die("SHA512");
  return d;
}

Sha256Digest HmacSha256(ByteSpan key, ByteSpan data) {
  Sha256Digest d;
  unsigned int len = 0;
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* k = key.empty() ? &kEmpty : key.data();
  if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), data.data(), data.size(), d.data(), &len) ==
          nullptr ||
      len != d.size()) {
    Die("HMAC");
  }
  return d;
}

struct Sha256Hasher::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
    Die("EVP_DigestInit");
  }
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(state_->ctx); }

void Sha256Hasher::Update(ByteSpan data) {
  if (EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) Die("EVP_DigestUpdate");
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest d;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, d.data(), &len) != 1) Die("EVP_DigestFinal");
  return d;
}

}  // namespace aip::crypto
