// ApiKeyStore: API keys in SQLite (default $AIP_HOME/gateway.db, mode 0600) or PostgreSQL (one
// store for every gateway instance). Each row holds the key's id, name, scopes, tool allowlist,
// times (created, expires, revoked, last used and from where) and the keyed hash of its secret —
// never the secret. The hash key is kept apart from the database (for SQLite "<db>.hashkey"
// beside it; for PostgreSQL a file every host is given; 32 random bytes, mode 0600), so a leaked
// database alone cannot confirm a guessed key. Several processes share one store: the CLI writes,
// gateways read and notice writes through DataVersion(), which every write moves.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/apikeys/api_key.h"
#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/sql/sql.h"

namespace aip::apikeys {

struct KeyRecord {
  std::string id;
  std::string name;
  Bytes hash;
  std::vector<std::string> scopes;
  std::vector<std::string> tools;  // Globs over "<upstream>.<tool>"; empty: any tool policy allows.
  TimePoint created;
  std::optional<TimePoint> expires;
  std::optional<TimePoint> revoked;
  std::optional<TimePoint> last_used;
  std::string last_used_address;
  std::string rotated_from;  // The key this one replaced.

  // ToJson describes the key for people (`aip apikey list`): everything but the hash.
  json::Object ToJson() const;
};

struct NewKeyOptions {
  std::string name;
  std::vector<std::string> scopes;
  std::vector<std::string> tools;
  std::optional<std::chrono::seconds> lifetime;  // None: no expiry.
};

// CreatedKey carries the only copy of the key text there will ever be.
struct CreatedKey {
  std::string key;
  KeyRecord record;
};

// Where the keys are: a SQLite path (or "sqlite:PATH") or a "postgresql://…" URL, and the hash
// key's file (default for SQLite "<path>.hashkey"; required for PostgreSQL).
struct StoreLocation {
  std::string db;
  std::filesystem::path hash_key_file;
  bool create_hash_key = true;  // Make a missing hash key (the CLI); a gateway on PostgreSQL must not.
};

class ApiKeyStore {
 public:
  // Open opens the store (creating its tables when missing) and its hash key.
  static Result<std::unique_ptr<ApiKeyStore>> Open(const StoreLocation& where);
  static Result<std::unique_ptr<ApiKeyStore>> Open(const std::filesystem::path& sqlite_path) {
    return Open(StoreLocation{sqlite_path.string(), {}, true});
  }
  ~ApiKeyStore();
  ApiKeyStore(const ApiKeyStore&) = delete;
  ApiKeyStore& operator=(const ApiKeyStore&) = delete;

  Result<CreatedKey> Create(const NewKeyOptions& options, TimePoint now);
  Result<std::vector<KeyRecord>> List();
  Result<KeyRecord> Get(std::string_view id);
  // Revoke ends a key now; revoking twice is an error (so a typo in the id is noticed).
  Status Revoke(std::string_view id, TimePoint now);
  // Rotate issues a new key with the old one's name, scopes and tools, and lets the old one
  // live `overlap` longer (never past its own expiry), so callers can switch without an outage.
  Result<CreatedKey> Rotate(std::string_view id, std::chrono::seconds overlap, TimePoint now);
  // KeyUse: a key's last use, written back in batches.
  struct KeyUse {
    std::string id;
    TimePoint when;
    std::string address;
  };
  Status RecordUses(const std::vector<KeyUse>& uses);
  // DataVersion moves with every key created, revoked or rotated, by any process.
  Result<std::int64_t> DataVersion();

  const crypto::HmacSha256Key& hash_key() const { return hash_key_; }

 private:
  ApiKeyStore(std::unique_ptr<sql::SqlConnection> db, const crypto::SecretBytes& hash_key);
  Result<CreatedKey> Insert(const NewKeyOptions& options, TimePoint now, std::string_view rotated_from);
  Result<KeyRecord> GetLocked(std::string_view id);
  Status BumpVersion();

  std::mutex mu_;  // One statement at a time on the connection.
  std::unique_ptr<sql::SqlConnection> db_;
  crypto::HmacSha256Key hash_key_;
};

// DefaultDatabasePath is $AIP_HOME/gateway.db (else ~/.aip/gateway.db).
std::filesystem::path DefaultDatabasePath();

}  // namespace aip::apikeys
