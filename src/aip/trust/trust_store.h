// TrustStore: the trust database — this agent's anchors, and every vouch it issued, received or
// imported, with the revocations, key rotations and deactivations it has seen. A SQLite file by
// default ($AIP_HOME/trust.db, mode 0600), or a PostgreSQL database several gateway instances
// read (docs/scaling.md).
// Only verified documents go in; a revocation is kept even before its vouch arrives, so a
// revoked vouch posted again stays revoked. A revocation counts only when signed by the vouch's
// own issuer (the digest covers the issuer, so nobody else can revoke it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/sql/sql.h"
#include "aip/identity/deactivation.h"
#include "aip/identity/key_rotation.h"
#include "aip/trust/identity_links.h"
#include "aip/trust/trust_graph.h"
#include "aip/trust/vouch.h"

namespace aip::trust {

struct StoredVouch {
  Vouch vouch;
  std::string origin;  // "issued", "received", "imported", "legacy".
  bool revoked = false;
};

struct StoreChanges {
  std::vector<EdgeInput> added;                              // Active vouches.
  std::vector<std::pair<std::string, std::string>> revoked;  // (issuer, vouch id).
  std::int64_t vouch_seq = 0;
  std::int64_t revocation_seq = 0;
  std::int64_t identity_records = 0;  // Rotations and deactivations held (grows with each).
};

class TrustStore {
 public:
  // Open opens a SQLite file (a path, or "sqlite:PATH") or a "postgresql://…" database.
  static Result<std::unique_ptr<TrustStore>> Open(const std::string& where);

  Status AddAnchor(std::string_view did, TimePoint now);
  Status RemoveAnchor(std::string_view did);
  Result<std::vector<std::string>> Anchors();

  // AddVouch stores a verified vouch: false when it was already there; kFailedPrecondition when
  // its issuer revoked it.
  Result<bool> AddVouch(const Vouch& vouch, std::string_view origin, TimePoint now);
  // AddRevocation stores a verified revocation: false when already known.
  Result<bool> AddRevocation(const Revocation& revocation);
  // AddRotation / AddDeactivation store a verified record: false when already known.
  Result<bool> AddRotation(const identity::KeyRotation& rotation);
  Result<bool> AddDeactivation(const identity::Deactivation& deactivation);
  // Links reads every rotation and deactivation held.
  Result<IdentityLinks> Links();
  // FindVouch finds a vouch by its id or a unique prefix of at least 12 characters of it.
  Result<StoredVouch> FindVouch(std::string_view id_or_prefix);
  Result<std::vector<StoredVouch>> Vouches();
  Result<std::vector<Revocation>> Revocations();

  // ChangesSince lists what was added after the given sequence numbers (0, 0: everything).
  // Writers commit in sequence order (sql::Transaction), so a reader never skips a late commit.
  Result<StoreChanges> ChangesSince(std::int64_t vouch_seq, std::int64_t revocation_seq);

 private:
  explicit TrustStore(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<sql::SqlConnection> db_;
};

// DefaultTrustDatabasePath is $AIP_HOME/trust.db (else ~/.aip/trust.db).
std::filesystem::path DefaultTrustDatabasePath();

}  // namespace aip::trust
