#include "aip/identity/did_aip.h"

#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"
#include "aip/identity/did_key.h"

namespace aip::identity {

std::string DidAipFromPublicKey(const crypto::Ed25519PublicKey& key) {
  return std::string(kDidAipPrefix) + HexEncode(crypto::Sha256(key.bytes())).substr(0, 32);
}

bool IsWellFormedDidAip(std::string_view did) {
  if (!did.starts_with(kDidAipPrefix) || did.size() != kDidAipPrefix.size() + 32) return false;
  for (char c : did.substr(kDidAipPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool DidMatchesKey(std::string_view did, const crypto::Ed25519PublicKey& key) {
  if (did.starts_with(kDidKeyPrefix)) return did == DidKeyFromPublicKey(key);
  if (did.starts_with(kDidAipPrefix)) return did == DidAipFromPublicKey(key);
  return false;
}

}  // namespace aip::identity
