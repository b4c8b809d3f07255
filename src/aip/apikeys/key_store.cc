#include "aip/apikeys/key_store.h"

#include <sys/stat.h>

#include "aip/base/encoding.h"
#include "aip/base/file_io.h"
#include "aip/crypto/random.h"
#include "aip/identity/key_store.h"
#include "aip/sqlite/database.h"

namespace aip::apikeys {
namespace {

using sqlite::FromSeconds;
using sqlite::Seconds;

// One schema for both engines (SQLite reads BIGINT as INTEGER). api_keys_version moves with every
// key created, revoked or rotated, so each gateway learns of a change by reading one row.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  tools TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  last_used_at BIGINT,
  last_used_address TEXT,
  rotated_from TEXT
);
CREATE TABLE IF NOT EXISTS api_keys_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
INSERT INTO api_keys_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
)sql";

constexpr const char* kColumns =
    "id, name, hash, scopes, tools, created_at, expires_at, revoked_at, last_used_at, last_used_address, rotated_from";

json::Array ToArray(const std::vector<std::string>& v) {
  json::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> FromArrayText(const std::optional<std::string>& text) {
  std::vector<std::string> out;
  auto parsed = json::ParseJson(text.value_or(""));
  if (!parsed || !parsed->is_array()) return out;
  for (const auto& v : parsed->get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

std::optional<TimePoint> TimeOf(const std::optional<std::string>& cell) {
  if (!cell) return std::nullopt;
  return FromSeconds(sql::IntOf(cell));
}

// The hash is stored as hex; stores written before hex (SQLite) hold the 32 raw bytes.
Bytes HashOf(const std::optional<std::string>& cell) {
  if (!cell) return {};
  if (cell->size() == 64) {
    auto decoded = HexDecode(*cell);
    return decoded ? *decoded : Bytes{};
  }
  if (cell->size() == 32) return Bytes(cell->begin(), cell->end());
  return {};  // Matches nothing.
}

KeyRecord ReadRow(const sql::SqlRow& row) {
  KeyRecord r;
  r.id = row[0].value_or("");
  r.name = row[1].value_or("");
  r.hash = HashOf(row[2]);
  r.scopes = FromArrayText(row[3]);
  r.tools = FromArrayText(row[4]);
  r.created = FromSeconds(sql::IntOf(row[5]));
  r.expires = TimeOf(row[6]);
  r.revoked = TimeOf(row[7]);
  r.last_used = TimeOf(row[8]);
  r.last_used_address = row[9].value_or("");
  r.rotated_from = row[10].value_or("");
  return r;
}

sql::SqlValue TimeValue(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return Seconds(*t);
}

// LoadOrCreateHashKey reads the hash key, or creates it (0600) with fresh randomness.
Result<crypto::SecretBytes> LoadOrCreateHashKey(const std::filesystem::path& path, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) {
      return FailedPreconditionError(path.string() +
                                     ": no hash key; copy the one `aip apikey` made for this store (it must be the same on every host)");
    }
    if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), ec)) {
      // A folder made for the key is private too.
      if (!std::filesystem::create_directories(path.parent_path(), ec) || ec) {
        return UnavailableError(path.parent_path().string() + ": cannot create the folder");
      }
      std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, ec);
    }
    Bytes fresh = crypto::RandomBytes(32);
    Status s = WriteFileAtomic(path, AsStringView(fresh), 0600);
    crypto::SecureWipe(fresh);
    AIP_RETURN_IF_ERROR(s);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return UnavailableError(path.string() + ": cannot stat");
  if ((st.st_mode & 077) != 0) return FailedPreconditionError(path.string() + " is readable by others; chmod 600 it");
  AIP_ASSIGN_OR_RETURN(std::string raw, ReadFile(path, 64));
  if (raw.size() != 32) return FailedPreconditionError(path.string() + ": not a 32-byte hash key");
  crypto::SecretBytes key(AsBytes(raw));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(raw.data()), raw.size()));
  return key;
}

}  // namespace

json::Object KeyRecord::ToJson() const {
  json::Object o{{"id", id}, {"name", name}, {"scopes", ToArray(scopes)}, {"tools", ToArray(tools)}, {"created", FormatTime(created)}};
  o["expires"] = expires ? json::Value(FormatTime(*expires)) : json::Value(nullptr);
  o["revoked"] = revoked ? json::Value(FormatTime(*revoked)) : json::Value(nullptr);
  o["last_used"] = last_used ? json::Value(FormatTime(*last_used)) : json::Value(nullptr);
  o["last_used_address"] = last_used_address.empty() ? json::Value(nullptr) : json::Value(last_used_address);
  if (!rotated_from.empty()) o["rotated_from"] = rotated_from;
  return o;
}

std::filesystem::path DefaultDatabasePath() { return identity::KeyStore::DefaultHome() / "gateway.db"; }

ApiKeyStore::ApiKeyStore(std::unique_ptr<sql::SqlConnection> db, const crypto::SecretBytes& hash_key)
    : db_(std::move(db)), hash_key_(hash_key.RevealSecret()) {}

ApiKeyStore::~ApiKeyStore() = default;

Result<std::unique_ptr<ApiKeyStore>> ApiKeyStore::Open(const StoreLocation& where) {
  std::string db = where.db.starts_with("sqlite:") ? where.db.substr(7) : where.db;
  bool postgres = db.starts_with("postgresql://") || db.starts_with("postgres://");
  if (db.empty()) return InvalidArgumentError("the API-key store needs a path or a postgresql:// URL");
  std::filesystem::path hash_key_file = where.hash_key_file;
  if (hash_key_file.empty()) {
    if (postgres) {
      return InvalidArgumentError(
          "a PostgreSQL API-key store needs a hash key file (hash_key_file, --hash-key-file), the same on every host");
    }
    hash_key_file = db + ".hashkey";
  }
  AIP_ASSIGN_OR_RETURN(auto conn, postgres ? sql::OpenPostgres(db) : sql::OpenSqlite(db));
  {
    // Instances starting together must not race to create the tables.
    sql::Transaction tx(*conn);
    AIP_RETURN_IF_ERROR(tx.Begin());
    AIP_RETURN_IF_ERROR(conn->ExecScript(kSchema));
    AIP_RETURN_IF_ERROR(tx.Commit());
  }
  AIP_ASSIGN_OR_RETURN(auto hash_key, LoadOrCreateHashKey(hash_key_file, where.create_hash_key));
  return std::unique_ptr<ApiKeyStore>(new ApiKeyStore(std::move(conn), hash_key));
}

Status ApiKeyStore::BumpVersion() { return db_->Query("UPDATE api_keys_version SET version = version + 1 WHERE id = 1").status(); }

Result<CreatedKey> ApiKeyStore::Insert(const NewKeyOptions& options, TimePoint now, std::string_view rotated_from) {
  if (options.name.empty() || options.name.size() > 200) return InvalidArgumentError("a key needs a name (at most 200 characters)");
  ParsedKey parsed = NewKey();
  KeyRecord r;
  r.id = parsed.id;
  r.name = options.name;
  r.hash = KeyHash(hash_key_, parsed);
  r.scopes = options.scopes;
  r.tools = options.tools;
  r.created = std::chrono::time_point_cast<std::chrono::seconds>(now);
  if (options.lifetime) r.expires = r.created + *options.lifetime;
  r.rotated_from = std::string(rotated_from);
  sql::SqlValue from = rotated_from.empty() ? sql::SqlValue(nullptr) : sql::SqlValue(std::string(rotated_from));
  AIP_RETURN_IF_ERROR(
      db_->Query(std::string("INSERT INTO api_keys (") + kColumns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, NULL, ?8)",
                 {r.id, r.name, HexEncode(r.hash), json::Serialize(ToArray(r.scopes)), json::Serialize(ToArray(r.tools)),
                  Seconds(r.created), TimeValue(r.expires), from})
          .status());
  AIP_RETURN_IF_ERROR(BumpVersion());
  return CreatedKey{FormatKey(parsed), std::move(r)};
}

Result<CreatedKey> ApiKeyStore::Create(const NewKeyOptions& options, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(CreatedKey created, Insert(options, now, ""));
  AIP_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Result<std::vector<KeyRecord>> ApiKeyStore::List() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query(std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY created_at, id"));
  std::vector<KeyRecord> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ReadRow(row));
  return out;
}

Result<KeyRecord> ApiKeyStore::GetLocked(std::string_view id) {
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query(std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = ?1", {std::string(id)}));
  if (rows.empty()) return NotFoundError("no API key with id " + std::string(id));
  return ReadRow(rows.front());
}

Result<KeyRecord> ApiKeyStore::Get(std::string_view id) {
  std::lock_guard lock(mu_);
  return GetLocked(id);
}

Status ApiKeyStore::Revoke(std::string_view id, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto revoked, db_->Query("UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL RETURNING id",
                                                {Seconds(now), std::string(id)}));
  if (revoked.size() != 1) return NotFoundError("no active API key with id " + std::string(id));
  AIP_RETURN_IF_ERROR(BumpVersion());
  return tx.Commit();
}

Result<CreatedKey> ApiKeyStore::Rotate(std::string_view id, std::chrono::seconds overlap, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(KeyRecord old, GetLocked(id));
  if (old.revoked) return FailedPreconditionError("API key " + old.id + " is revoked");
  if (old.expires && *old.expires <= now) return FailedPreconditionError("API key " + old.id + " has expired");
  NewKeyOptions options{old.name, old.scopes, old.tools, std::nullopt};
  if (old.expires) options.lifetime = std::chrono::duration_cast<std::chrono::seconds>(*old.expires - old.created);
  AIP_ASSIGN_OR_RETURN(CreatedKey created, Insert(options, now, old.id));
  TimePoint old_end = std::chrono::time_point_cast<std::chrono::seconds>(now + overlap);
  if (old.expires && *old.expires < old_end) old_end = *old.expires;
  AIP_RETURN_IF_ERROR(db_->Query("UPDATE api_keys SET expires_at = ?1 WHERE id = ?2", {Seconds(old_end), old.id}).status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return created;
}

Status ApiKeyStore::RecordUses(const std::vector<KeyUse>& uses) {
  if (uses.empty()) return OkStatus();
  std::lock_guard lock(mu_);
  // One transaction for the batch: a round trip per key, one commit (and no version change:
  // last use is not a change gateways must reload for).
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  for (const auto& use : uses) {
    AIP_RETURN_IF_ERROR(
        db_->Query("UPDATE api_keys SET last_used_at = ?1, last_used_address = ?2 WHERE id = ?3", {Seconds(use.when), use.address, use.id})
            .status());
  }
  return tx.Commit();
}

Result<std::int64_t> ApiKeyStore::DataVersion() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT version FROM api_keys_version WHERE id = 1"));
  if (rows.empty()) return InternalError("the API-key store has no version row");
  return sql::IntOf(rows.front()[0]);
}

}  // namespace aip::apikeys
