// did:key for Ed25519 (W3C CCG did:key method): "did:key:z" + base58btc(0xed 0x01 || key).
// Parsing is strict: one spelling per key, so a DID can be compared as a string.
#pragma once

#include <string>
#include <string_view>

#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"
#include "aip/crypto/x25519.h"

namespace aip::identity {

inline constexpr std::string_view kDidKeyPrefix = "did:key:";

// Multikey encodings (multicodec varint + key, multibase base58btc).
std::string Ed25519Multikey(const crypto::Ed25519PublicKey& key);  // "z6Mk..."
std::string X25519Multikey(const crypto::X25519PublicKey& key);    // "z6LS..."
Result<crypto::Ed25519PublicKey> ParseEd25519Multikey(std::string_view multibase);

std::string DidKeyFromPublicKey(const crypto::Ed25519PublicKey& key);
Result<crypto::Ed25519PublicKey> PublicKeyFromDidKey(std::string_view did);

// DidKeyVerificationMethod returns the key's verification method id: did + "#" + multikey.
std::string DidKeyVerificationMethod(const crypto::Ed25519PublicKey& key);

}  // namespace aip::identity
