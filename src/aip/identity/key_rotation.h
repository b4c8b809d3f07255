// Key rotation records: the old key signs "this key replaces me", the new key countersigns the
// same statement, so a verifier can follow an identity from its first key to its current one and
// neither key alone can forge a link.
#pragma once

#include <string>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"

namespace aip::identity {

struct KeyRotation {
  std::string previous_did;  // did:key of the retired key.
  std::string next_did;      // did:key of the new key.
  TimePoint created;
  Bytes previous_signature;
  Bytes next_signature;

  static Result<KeyRotation> Create(const crypto::Ed25519PrivateKey& previous, const crypto::Ed25519PrivateKey& next, TimePoint now);
  static Result<KeyRotation> FromJson(const json::Value& value);
  json::Object ToJson() const;
  // Verify checks both signatures against the keys named by the two DIDs.
  Status Verify() const;
};

// VerifyRotationChain checks that `rotations` lead, link by link, from `first_did` to `last_did`.
Status VerifyRotationChain(const std::vector<KeyRotation>& rotations, std::string_view first_did, std::string_view last_did);

}  // namespace aip::identity
