// SecretBytes holds key material: zeroized on destruction, compared in constant time, and never
// printable. Reading the bytes takes a call named RevealSecret() so every use is easy to audit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "aip/base/bytes.h"

namespace aip::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(ByteSpan bytes);
  explicit SecretBytes(std::size_t size);  // Zero-filled, for a callee to write into.
  ~SecretBytes();
  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // RevealSecret exposes the bytes to code that must use them (a signer, a cipher).
  ByteSpan RevealSecret() const { return bytes_; }
  std::span<std::uint8_t> MutableSecret() { return bytes_; }

  // Equals compares in time that depends only on the lengths.
  bool Equals(const SecretBytes& other) const;

 private:
  void Wipe();
  std::vector<std::uint8_t> bytes_;
};

// ConstantTimeEquals compares two byte strings without an early exit on the first difference.
bool ConstantTimeEquals(ByteSpan a, ByteSpan b);

// Wipe overwrites memory in a way the compiler cannot elide.
void SecureWipe(std::span<std::uint8_t> bytes);

}  // namespace aip::crypto
