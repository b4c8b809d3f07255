// IdentityLinks: which DIDs are one identity. A verified key rotation links a retired did:key to
// the key that replaced it; a verified deactivation ends an identity. The trust engine scores
// identities, not keys: before a graph is built every vouch is rewritten to the current DIDs of
// its issuer's and subject's chains, so a vouch for an old key counts for the new one.
//
// What a rotation can and cannot do (docs/registry.md, "Rotation and deactivation"):
//  - Both keys sign each link, so nobody can rotate an identity onto a key they do not hold, or
//    claim another identity's history by rotating onto it.
//  - A retired key can do nothing after its rotation: vouches it signed do not count (a stolen
//    old key could backdate new ones, so none is believed; `aip key rotate` re-signs the
//    identity's own vouches with the new key), and scoring it gives 0 — the trust belongs to the
//    current key. Vouches *for* the old key were signed by others and carry over.
//  - A key rotated twice (a fork: the owner and a thief each rotating it) makes the whole chain
//    count for nothing, wherever both rotations are seen.
//  - A deactivated identity is dropped: no score, and its vouches count no more.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/base/clock.h"
#include "aip/trust/trust_graph.h"

namespace aip::trust {

// The longest chain followed; a longer one is treated as forked (nobody rotates that often).
inline constexpr int kMaxRotationChain = 64;

struct Standing {
  enum Kind { kActive, kRotated, kDeactivated, kForked };
  Kind kind = kActive;
  std::string current;  // The DID that holds the identity's trust now.
  // Note says why a DID scores nothing ("" when active).
  std::string Note() const;
};

class IdentityLinks {
 public:
  // Callers add only verified records (identity::KeyRotation / identity::Deactivation).
  void AddRotation(std::string_view previous, std::string_view next, TimePoint at);
  void AddDeactivation(std::string_view did, TimePoint at);
  bool empty() const { return next_.empty() && deactivated_.empty(); }

  Standing Of(std::string_view did) const;
  // Map rewrites `edge` to the current DIDs of its issuer's and subject's identities; false when
  // it no longer counts (either side deactivated or forked, signed by a retired key, or a vouch
  // between two keys of one identity).
  bool Map(EdgeInput& edge) const;
  // Keys lists the keys of `did`'s identity, first key first (just `did` when it never rotated).
  std::vector<std::string> Keys(std::string_view did) const;
  // Current maps each anchor to its identity's current DID, dropping ended ones.
  std::vector<std::string> Current(const std::vector<std::string>& dids) const;

 private:
  struct Link {
    std::string next;
    TimePoint at;
  };
  std::unordered_map<std::string, std::vector<Link>> next_;             // More than one: a fork.
  std::unordered_map<std::string, std::vector<std::string>> previous_;  // More than one: a merge.
  std::unordered_map<std::string, TimePoint> deactivated_;
};

}  // namespace aip::trust
