#include "aip/crypto/secret_bytes.h"

#include <sodium.h>

namespace aip::crypto {

SecretBytes::SecretBytes(ByteSpan bytes) : bytes_(bytes.begin(), bytes.end()) {}
SecretBytes::SecretBytes(std::size_t size) : bytes_(size, 0) {}
SecretBytes::~SecretBytes() { Wipe(); }
SecretBytes::SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}
SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

bool SecretBytes::Equals(const SecretBytes& other) const { return ConstantTimeEquals(bytes_, other.bytes_); }

void SecretBytes::Wipe() { SecureWipe(bytes_); }

bool ConstantTimeEquals(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureWipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

}  // namespace aip::crypto
