// Deactivation records: an identity's current key signs "this identity ends here". Registries
// that hold one refuse every later write for the identity, and trust engines drop it — its
// vouches, given and received, stop counting (docs/registry.md, "Rotation and deactivation").
//
//   {"type": "aip-deactivation", "did": "did:key:z6Mk…", "created": "2026-12-06T10:00:00Z",
//    "signature": base64url(Ed25519 over "aip/deactivation/v1" NUL JCS({type, did, created}))}
#pragma once

#include <string>

#include "aip/base/bytes.h"
#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::identity {

class Identity;

struct Deactivation {
  std::string did;  // did:key of the key that ends the identity (its current key).
  TimePoint created;
  Bytes signature;

  // Create signs the deactivation of `identity`'s current key.
  static Deactivation Create(const Identity& identity, TimePoint now);
  static Result<Deactivation> FromJson(const json::Value& value);
  json::Object ToJson() const;
  // Verify checks the signature against the key `did` names.
  Status Verify() const;
};

}  // namespace aip::identity
