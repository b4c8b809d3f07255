// EnsureSodium initializes libsodium once (thread-safe); aborts if it cannot, since no
// cryptography may run on an uninitialized library.
#pragma once
#include <string>

namespace aip::crypto {

void EnsureSodium();

// LibraryVersions names the cryptography libraries linked in ("libsodium 1.0.18, OpenSSL 3.0.x").
std::string LibraryVersions();

}  // namespace aip::crypto
