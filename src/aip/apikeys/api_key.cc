#include "aip/apikeys/api_key.h"

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::apikeys {
namespace {

// Domain separation: these bytes are never an input of another HMAC under the same key.
constexpr std::string_view kHashContext = "aip-apikey-v1";

bool IsLowerHex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

}  // namespace

ParsedKey NewKey() {
  return ParsedKey{HexEncode(crypto::RandomBytes(kIdBytes)), Base58Encode(crypto::RandomBytes(kSecretBytes))};
}

std::string FormatKey(const ParsedKey& key) { return std::string(kKeyPrefix) + key.id + "_" + key.secret; }

Result<ParsedKey> ParseKey(std::string_view text) {
  auto refuse = [] { return InvalidArgumentError("not an aip API key (expected aip_<id>_<secret>)"); };
  if (!text.starts_with(kKeyPrefix)) return refuse();
  text.remove_prefix(kKeyPrefix.size());
  std::size_t sep = text.find('_');
  if (sep != kIdBytes * 2) return refuse();
  ParsedKey key{std::string(text.substr(0, sep)), std::string(text.substr(sep + 1))};
  if (!IsLowerHex(key.id)) return refuse();
  // The secret must be the canonical base58 of exactly 32 bytes (base58 of 32 bytes is at most
  // 44 characters; the bound keeps the decoder's work small for hostile input).
  if (key.secret.empty() || key.secret.size() > 44) return refuse();
  auto raw = Base58Decode(key.secret);
  if (!raw || raw->size() != kSecretBytes || Base58Encode(*raw) != key.secret) return refuse();
  return key;
}

Bytes KeyHash(const crypto::SecretBytes& hash_key, const ParsedKey& key) {
  std::string input;
  input.reserve(kHashContext.size() + key.id.size() + key.secret.size() + 2);
  input.append(kHashContext).push_back('\0');
  input.append(key.id).push_back('\0');
  input.append(key.secret);
  auto mac = crypto::HmacSha256(hash_key.RevealSecret(), AsBytes(input));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(input.data()), input.size()));
  return Bytes(mac.begin(), mac.end());
}

}  // namespace aip::apikeys
