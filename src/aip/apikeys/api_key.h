// API key text and its keyed hash. A key reads "aip_<id>_<secret>": the id (16 hex digits) names
// the stored record, so a lookup never scans or compares secrets; the secret is 32 random bytes
// (256 bits) in base58, so the whole key is one word that survives copy and paste. Only
// HMAC-SHA256(hash key, id ‖ secret) is stored: a copy of the database alone cannot confirm a
// guess, and the comparison is constant-time.
#pragma once

#include <string>
#include <string_view>

#include "aip/authn/credentials.h"
#include "aip/base/bytes.h"
#include "aip/base/status.h"
#include "aip/crypto/sha.h"

namespace aip::apikeys {

// The prefix is fixed in authn, which tells API keys from access tokens by it.
inline constexpr std::string_view kKeyPrefix = authn::kApiKeyPrefix;
inline constexpr std::size_t kIdBytes = 8;
inline constexpr std::size_t kSecretBytes = 32;

struct ParsedKey {
  std::string id;      // 16 lowercase hex digits.
  std::string secret;  // base58 text of 32 bytes.
};

// NewKey draws a fresh id and secret.
ParsedKey NewKey();
// FormatKey renders "aip_<id>_<secret>".
std::string FormatKey(const ParsedKey& key);
// ParseKey accepts exactly the shape FormatKey produces; anything else is refused.
Result<ParsedKey> ParseKey(std::string_view text);
// KeyHash is what the store keeps: HMAC-SHA256 under the store's hash key.
Bytes KeyHash(const crypto::HmacSha256Key& hash_key, const ParsedKey& key);

}  // namespace aip::apikeys
