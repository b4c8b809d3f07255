// SHA-256, SHA-512 and HMAC-SHA256 (OpenSSL, which uses the SHA extensions of these CPUs).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "aip/base/bytes.h"
#include "aip/base/status.h"

namespace aip::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha512Digest = std::array<std::uint8_t, 64>;

Sha256Digest Sha256(ByteSpan data);
Sha512Digest Sha512(ByteSpan data);
Sha256Digest HmacSha256(ByteSpan key, ByteSpan data);
// VerifyHmacSha256 checks `mac` against HMAC-SHA256(key, data) in constant time (a MAC of another
// length is wrong too): kUnauthenticated when it differs. Callers never compare MACs by hand.
Status VerifyHmacSha256(ByteSpan key, ByteSpan data, ByteSpan mac);

// HmacSha256Key is HMAC-SHA256 under one fixed key, with the padded key blocks hashed once up
// front: for many short messages under the same key (API key checks) that halves the work.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(ByteSpan key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  Sha256Digest Mac(ByteSpan data) const;
  // Verify checks `mac` against Mac(data) in constant time; kUnauthenticated when it differs.
  Status Verify(ByteSpan data, ByteSpan mac) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Sha256Hasher hashes a stream (a large file) piece by piece.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(ByteSpan data);
  Sha256Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace aip::crypto
