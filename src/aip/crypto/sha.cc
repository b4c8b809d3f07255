#include "aip/crypto/sha.h"

#include "aip/crypto/secret_bytes.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace aip::crypto {
namespace {

[[noreturn]] void Die(const char* what) {
  // Hashing fixed-size inputs cannot fail short of memory exhaustion or a broken library.
  std::fprintf(stderr, "aip: OpenSSL %s failed\n", what);
  std::abort();
}

// ThreadContext is a digest context kept per thread and reused by one-shot digests and MACs:
// allocating one per call (as OpenSSL 3's one-shot SHA256() does) showed in the gateway's profile.
EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx) Die("EVP_MD_CTX_new");
  return ctx.get();
}

// Digest hashes with an algorithm its caller fetched once (a lookup per call also showed).
template <std::size_t N>
std::array<std::uint8_t, N> Digest(const EVP_MD* md, ByteSpan data) {
  EVP_MD_CTX* ctx = ThreadContext();
  std::array<std::uint8_t, N> d;
  unsigned int len = 0;
  if (md == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, d.data(), &len) != 1 || len != N) {
    Die("digest");
  }
  return d;
}

}  // namespace

Sha256Digest Sha256(ByteSpan data) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return Digest<32>(md, data);
}

Sha512Digest Sha512(ByteSpan data) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  return Digest<64>(md, data);
}

Sha256Digest HmacSha256(ByteSpan key, ByteSpan data) {
  Sha256Digest d;
  unsigned int len = 0;
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* k = key.empty() ? &kEmpty : key.data();
  if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), data.data(), data.size(), d.data(), &len) == nullptr || len != d.size()) {
    Die("HMAC");
  }
  return d;
}

struct HmacSha256Key::State {
  EVP_MD_CTX* inner = nullptr;  // SHA-256 after absorbing key ^ ipad.
  EVP_MD_CTX* outer = nullptr;  // SHA-256 after absorbing key ^ opad.
  ~State() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

HmacSha256Key::HmacSha256Key(ByteSpan key) : state_(std::make_unique<State>()) {
  // RFC 2104: keys longer than the block are hashed first, shorter ones zero-padded.
  std::array<std::uint8_t, 64> block{};
  if (key.size() > block.size()) {
    Sha256Digest k = Sha256(key);
    std::copy(k.begin(), k.end(), block.begin());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, 64> pad;
  state_->inner = EVP_MD_CTX_new();
  state_->outer = EVP_MD_CTX_new();
  if (state_->inner == nullptr || state_->outer == nullptr) Die("EVP_MD_CTX_new");
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x36;
  if (EVP_DigestInit_ex(state_->inner, EVP_sha256(), nullptr) != 1 || EVP_DigestUpdate(state_->inner, pad.data(), pad.size()) != 1) {
    Die("HMAC inner");
  }
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = block[i] ^ 0x5c;
  if (EVP_DigestInit_ex(state_->outer, EVP_sha256(), nullptr) != 1 || EVP_DigestUpdate(state_->outer, pad.data(), pad.size()) != 1) {
    Die("HMAC outer");
  }
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(pad.data(), pad.size());
}

HmacSha256Key::~HmacSha256Key() = default;

Sha256Digest HmacSha256Key::Mac(ByteSpan data) const {
  // Copying a prepared state into the thread's context costs no allocation.
  EVP_MD_CTX* ctx = ThreadContext();
  Sha256Digest inner, out;
  unsigned int len = 0;
  if (EVP_MD_CTX_copy_ex(ctx, state_->inner) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, inner.data(), &len) != 1 || EVP_MD_CTX_copy_ex(ctx, state_->outer) != 1 ||
      EVP_DigestUpdate(ctx, inner.data(), inner.size()) != 1 || EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    Die("HMAC");
  }
  return out;
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

Status VerifyHmacSha256(ByteSpan key, ByteSpan data, ByteSpan mac) {
  Sha256Digest expected = HmacSha256(key, data);
  if (!ConstantTimeEquals(expected, mac)) return UnauthenticatedError("the MAC does not match");
  return OkStatus();
}

Status HmacSha256Key::Verify(ByteSpan data, ByteSpan mac) const {
  Sha256Digest expected = Mac(data);
  if (!ConstantTimeEquals(expected, mac)) return UnauthenticatedError("the MAC does not match");
  return OkStatus();
}

}  // namespace aip::crypto
