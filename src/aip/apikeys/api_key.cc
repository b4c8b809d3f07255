#include "aip/apikeys/api_key.h"

#include <array>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/crypto/sha.h"

namespace aip::apikeys {
namespace {

// Domain separation: these bytes are never an input of another HMAC under the same key.
constexpr std::string_view kHashContext = "aip-apikey-v1";

bool IsLowerHex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }
bool IsBase58(std::string_view s) {
  return s.find_first_not_of("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") == std::string_view::npos;
}

}  // namespace

ParsedKey NewKey() { return ParsedKey{HexEncode(crypto::RandomBytes(kIdBytes)), Base58Encode(crypto::RandomBytes(kSecretBytes))}; }

std::string FormatKey(const ParsedKey& key) { return std::string(kKeyPrefix) + key.id + "_" + key.secret; }

Result<ParsedKey> ParseKey(std::string_view text) {
  auto refuse = [] { return InvalidArgumentError("not an aip API key (expected aip_<id>_<secret>)"); };
  if (!text.starts_with(kKeyPrefix)) return refuse();
  text.remove_prefix(kKeyPrefix.size());
  std::size_t sep = text.find('_');
  if (sep != kIdBytes * 2) return refuse();
  std::string_view id = text.substr(0, sep), secret = text.substr(sep + 1);
  // The secret is hashed as text, so it is only checked for shape: base58 characters, the
  // length base58 gives 32 bytes (43 or 44).
  if (!IsLowerHex(id) || secret.size() < 43 || secret.size() > 44 || !IsBase58(secret)) return refuse();
  return ParsedKey{std::string(id), std::string(secret)};
}

Bytes KeyHash(const crypto::HmacSha256Key& hash_key, const ParsedKey& key) {
  // context \0 id \0 secret, in a buffer on the stack (the secret is wiped after).
  std::array<std::uint8_t, 128> input;
  std::size_t n = 0;
  for (std::string_view part : {kHashContext, std::string_view(key.id), std::string_view(key.secret)}) {
    if (n + part.size() + 1 > input.size()) return Bytes();  // Longer than ParseKey allows: no match.
    if (n > 0) input[n++] = 0;
    std::copy(part.begin(), part.end(), input.begin() + static_cast<std::ptrdiff_t>(n));
    n += part.size();
  }
  auto mac = hash_key.Mac(ByteSpan(input.data(), n));
  crypto::SecureWipe(input);
  return Bytes(mac.begin(), mac.end());
}

}  // namespace aip::apikeys
