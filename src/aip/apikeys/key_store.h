// ApiKeyStore: API keys in SQLite (default $AIP_HOME/gateway.db, mode 0600). Each row holds the
// key's id, name, scopes, tool allowlist, times (created, expires, revoked, last used and from
// where) and the keyed hash of its secret — never the secret. The hash key lives beside the
// database in "<db>.hashkey" (32 random bytes, mode 0600), so a leaked database alone cannot
// confirm a guessed key. Several processes share one database: the CLI writes, the gateway reads
// and notices writes through DataVersion().
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
#include "aip/sqlite/database.h"

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

class ApiKeyStore {
 public:
  // Open opens (creating when missing) the database and its hash key.
  static Result<std::unique_ptr<ApiKeyStore>> Open(const std::filesystem::path& db_path);
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
  Status RecordUse(std::string_view id, TimePoint when, std::string_view address);
  // DataVersion changes whenever another connection committed a write.
  Result<std::int64_t> DataVersion();

  const crypto::HmacSha256Key& hash_key() const { return hash_key_; }
  const std::filesystem::path& path() const { return db_->path(); }

 private:
  ApiKeyStore(std::unique_ptr<sqlite::Database> db, const crypto::SecretBytes& hash_key);
  Result<CreatedKey> Insert(const NewKeyOptions& options, TimePoint now, std::string_view rotated_from);

  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
  crypto::HmacSha256Key hash_key_;
};

// DefaultDatabasePath is $AIP_HOME/gateway.db (else ~/.aip/gateway.db).
std::filesystem::path DefaultDatabasePath();

}  // namespace aip::apikeys
