#include "aip/registry/shared_replay_cache.h"

#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"

namespace aip::registry {

Status SharedReplayCache::Remember(std::string_view key, TimePoint expires, TimePoint now) {
  if (expires <= now) return UnauthenticatedError("expired");
  // A fixed-size key whatever the request carried.
  std::string digest = HexEncode(crypto::Sha256(AsBytes(key)));
  auto fresh = store_->RememberNonce(digest, expires);
  if (!fresh) return UnavailableError("replay cache: " + fresh.error().message);
  if (!*fresh) return UnauthenticatedError("replayed");
  return OkStatus();
}

}  // namespace aip::registry
