// An agent's registration: a self-signed document the agent makes with its own key and any
// registry stores and serves. Nobody — the registry included — can make or alter one without the
// key, so a registry (or a federating peer) is never trusted, only used.
//
//   {"type": "AipAgentRegistration", "id": "did:key:z6Mk…", "name": "weather-bot",
//    "platform": "langchain", "description": "…", "url": "https://…",
//    "updated": "2026-11-22T10:00:00.250Z", "proof": {eddsa-jcs-2022 by the id's key}}
//
// A newer `updated` replaces an older registration; the same `updated` with other contents is a
// conflict (refused), an older one is stale (refused), so a replayed old version cannot roll back
// a profile.
#pragma once
#include <string>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip::registry {

inline constexpr std::size_t kMaxNameBytes = 64;
inline constexpr std::size_t kMaxPlatformBytes = 64;
inline constexpr std::size_t kMaxDescriptionBytes = 1000;
inline constexpr std::size_t kMaxUrlBytes = 512;
inline constexpr std::size_t kMaxRecordBytes = 8 * 1024;

struct Profile {
  std::string name;
  std::string platform;
  std::string description;
  std::string url;
};

struct AgentRecord {
  std::string did;    // did:key, the key's own identifier.
  std::string alias;  // did:aip of the same key.
  Profile profile;
  TimePoint updated;
  json::Object document;  // The signed registration.
};

// CreateRegistration signs `profile` as `agent`'s registration, updated now.
Result<AgentRecord> CreateRegistration(const identity::Identity& agent, const Profile& profile, TimePoint now);

// VerifyRegistration checks shape, limits, and that the proof is by the id's own key. `now`
// bounds `updated` (at most 5 minutes ahead).
Result<AgentRecord> VerifyRegistration(const json::Object& document, TimePoint now);

}  // namespace aip::registry
