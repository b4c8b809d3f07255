// did:aip, the identifier of the Python AIP project: "did:aip:" + the first 32 lowercase hex
// characters of SHA-256(public key). It is a 128-bit hash, so resolving it needs the key from
// elsewhere (a keyring entry or a registry); aip treats it as an alias of the key's did:key.
#pragma once

#include <string>
#include <string_view>

#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"

namespace aip::identity {

inline constexpr std::string_view kDidAipPrefix = "did:aip:";

std::string DidAipFromPublicKey(const crypto::Ed25519PublicKey& key);
// IsWellFormedDidAip checks the syntax: prefix and exactly 32 lowercase hex characters.
bool IsWellFormedDidAip(std::string_view did);

// DidMatchesKey is true when `did` is the did:key or the did:aip of `key`.
bool DidMatchesKey(std::string_view did, const crypto::Ed25519PublicKey& key);

}  // namespace aip::identity
