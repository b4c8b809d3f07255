// EnsureSodium initializes libsodium once (thread-safe); aborts if it cannot, since no
// cryptography may run on an uninitialized library.
#pragma once

namespace aip::crypto {
void EnsureSodium();
}  // namespace aip::crypto
