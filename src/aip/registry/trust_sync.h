// SyncTrust keeps a trust store current from a registry: breadth first from the anchors, each
// agent's rotation chain and deactivation, the vouches each of its keys published and the
// revocations of them, then the same for the agents those vouches reach, up to `depth` hops.
// Every document is verified before it is stored, and a vouch counts only under the issuer it
// was asked for — a registry can withhold, never forge. Used by `aip trust sync` and by the
// gateway's `[trust] registry` (docs/trust.md).
#pragma once

#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/registry/registry_client.h"
#include "aip/trust/trust_store.h"

namespace aip::registry {

struct TrustSyncOptions {
  int depth = 5;            // Hops from the anchors.
  int max_vouches = 10000;  // Stop after this many vouches.
};

struct TrustSyncReport {
  int added = 0;             // New vouches stored.
  int known = 0;             // Already there (or revoked here).
  int revocations = 0;       // New revocations stored.
  int identity_records = 0;  // New key rotations and deactivations stored.
  int rejected = 0;          // Documents that failed verification or came under the wrong issuer.
  json::Object ToJson() const;
};

// SyncTrust fails only when the registry cannot be read or the store written; what the registry
// served that does not verify is counted in `rejected` and ignored.
Result<TrustSyncReport> SyncTrust(RegistryClient& client, trust::TrustStore& store, const std::vector<std::string>& anchors,
                                  const TrustSyncOptions& options, TimePoint now);

}  // namespace aip::registry
