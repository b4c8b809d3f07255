#include "aip/apikeys/key_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aip/base/file_io.h"
#include "aip/crypto/random.h"
#include "aip/identity/key_store.h"

namespace aip::apikeys {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash BLOB NOT NULL,
  scopes TEXT NOT NULL,
  tools TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER,
  last_used_address TEXT,
  rotated_from TEXT
);
)sql";

constexpr const char* kColumns =
    "id, name, hash, scopes, tools, created_at, expires_at, revoked_at, last_used_at, last_used_address, rotated_from";

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint FromSeconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

// Statement owns one prepared statement; every value is bound, never spliced into SQL.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, ByteSpan blob) {
    sqlite3_bind_blob(stmt_, i, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Statement& Bind(int i, std::optional<TimePoint> t) {
    if (t) {
      sqlite3_bind_int64(stmt_, i, Seconds(*t));
    } else {
      sqlite3_bind_null(stmt_, i);
    }
    return *this;
  }
  // Step: SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col));
  }
  Bytes Blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    return p == nullptr ? Bytes() : Bytes(p, p + sqlite3_column_bytes(stmt_, col));
  }
  std::optional<TimePoint> Time(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return FromSeconds(sqlite3_column_int64(stmt_, col));
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

Error DbError(sqlite3* db, std::string_view what) {
  return InternalError(std::string(what) + ": " + sqlite3_errmsg(db));
}

json::Array ToArray(const std::vector<std::string>& v) {
  json::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> FromArrayText(const std::string& text) {
  std::vector<std::string> out;
  auto parsed = json::ParseJson(text);
  if (!parsed || !parsed->is_array()) return out;
  for (const auto& v : parsed->get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

KeyRecord ReadRow(const Statement& s) {
  KeyRecord r;
  r.id = s.Text(0);
  r.name = s.Text(1);
  r.hash = s.Blob(2);
  r.scopes = FromArrayText(s.Text(3));
  r.tools = FromArrayText(s.Text(4));
  r.created = FromSeconds(s.Int(5));
  r.expires = s.Time(6);
  r.revoked = s.Time(7);
  r.last_used = s.Time(8);
  r.last_used_address = s.Text(9);
  r.rotated_from = s.Text(10);
  return r;
}

// LoadOrCreateHashKey reads "<db>.hashkey", or creates it (0600) with fresh randomness.
Result<crypto::SecretBytes> LoadOrCreateHashKey(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
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
  json::Object o{{"id", id}, {"name", name}, {"scopes", ToArray(scopes)}, {"tools", ToArray(tools)},
                 {"created", FormatTime(created)}};
  o["expires"] = expires ? json::Value(FormatTime(*expires)) : json::Value(nullptr);
  o["revoked"] = revoked ? json::Value(FormatTime(*revoked)) : json::Value(nullptr);
  o["last_used"] = last_used ? json::Value(FormatTime(*last_used)) : json::Value(nullptr);
  o["last_used_address"] = last_used_address.empty() ? json::Value(nullptr) : json::Value(last_used_address);
  if (!rotated_from.empty()) o["rotated_from"] = rotated_from;
  return o;
}

std::filesystem::path DefaultDatabasePath() { return identity::KeyStore::DefaultHome() / "gateway.db"; }

ApiKeyStore::ApiKeyStore(sqlite3* db, const crypto::SecretBytes& hash_key, std::filesystem::path path)
    : db_(db), hash_key_(hash_key.RevealSecret()), path_(std::move(path)) {}

ApiKeyStore::~ApiKeyStore() { sqlite3_close_v2(db_); }

Result<std::unique_ptr<ApiKeyStore>> ApiKeyStore::Open(const std::filesystem::path& db_path) {
  if (db_path.has_parent_path()) {
    std::error_code ec;
    if (!std::filesystem::exists(db_path.parent_path(), ec)) AIP_RETURN_IF_ERROR(EnsurePrivateDirectory(db_path.parent_path()));
  }
  // Create the file ourselves with mode 0600; SQLite gives its journal files the same mode.
  int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open " + db_path.string());
  struct stat st {};
  bool exposed = ::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
  ::close(fd);
  if (exposed) return FailedPreconditionError(db_path.string() + " is readable by others; chmod 600 it");
  AIP_ASSIGN_OR_RETURN(auto hash_key, LoadOrCreateHashKey(db_path.string() + ".hashkey"));

  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open " + db_path.string() + ": " + msg);
  }
  std::unique_ptr<ApiKeyStore> store(new ApiKeyStore(db, hash_key, db_path));
  // WAL: the gateway reads while the CLI writes; a busy writer is waited for, not failed.
  sqlite3_busy_timeout(db, 5000);
  for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", kSchema}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db, db_path.string());
  }
  return store;
}

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
  Statement s(db_, std::string("INSERT INTO api_keys (") + kColumns + ") VALUES (?,?,?,?,?,?,?,NULL,NULL,NULL,?)");
  if (!s.ok()) return DbError(db_, "insert");
  s.Bind(1, r.id).Bind(2, r.name).Bind(3, ByteSpan(r.hash)).Bind(4, json::Serialize(ToArray(r.scopes)));
  s.Bind(5, json::Serialize(ToArray(r.tools))).Bind(6, Seconds(r.created)).Bind(7, r.expires);
  if (rotated_from.empty()) {
    s.BindNull(8);
  } else {
    s.Bind(8, rotated_from);
  }
  if (s.Step() != SQLITE_DONE) return DbError(db_, "insert");
  return CreatedKey{FormatKey(parsed), std::move(r)};
}

Result<CreatedKey> ApiKeyStore::Create(const NewKeyOptions& options, TimePoint now) {
  std::lock_guard lock(mu_);
  return Insert(options, now, "");
}

Result<std::vector<KeyRecord>> ApiKeyStore::List() {
  std::lock_guard lock(mu_);
  Statement s(db_, std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY created_at, id");
  if (!s.ok()) return DbError(db_, "list");
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRow(s));
  if (rc != SQLITE_DONE) return DbError(db_, "list");
  return out;
}

Result<KeyRecord> ApiKeyStore::Get(std::string_view id) {
  std::lock_guard lock(mu_);
  Statement s(db_, std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = ?");
  if (!s.ok()) return DbError(db_, "get");
  s.Bind(1, id);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return ReadRow(s);
  if (rc == SQLITE_DONE) return NotFoundError("no API key with id " + std::string(id));
  return DbError(db_, "get");
}

Status ApiKeyStore::Revoke(std::string_view id, TimePoint now) {
  std::lock_guard lock(mu_);
  Statement s(db_, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  if (!s.ok()) return DbError(db_, "revoke");
  s.Bind(1, Seconds(now)).Bind(2, id);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "revoke");
  if (sqlite3_changes(db_) != 1) return NotFoundError("no active API key with id " + std::string(id));
  return OkStatus();
}

Result<CreatedKey> ApiKeyStore::Rotate(std::string_view id, std::chrono::seconds overlap, TimePoint now) {
  AIP_ASSIGN_OR_RETURN(KeyRecord old, Get(id));
  if (old.revoked) return FailedPreconditionError("API key " + old.id + " is revoked");
  if (old.expires && *old.expires <= now) return FailedPreconditionError("API key " + old.id + " has expired");
  std::lock_guard lock(mu_);
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db_, "rotate");
  NewKeyOptions options{old.name, old.scopes, old.tools, std::nullopt};
  if (old.expires) options.lifetime = std::chrono::duration_cast<std::chrono::seconds>(*old.expires - old.created);
  auto created = Insert(options, now, old.id);
  TimePoint old_end = std::chrono::time_point_cast<std::chrono::seconds>(now + overlap);
  if (old.expires && *old.expires < old_end) old_end = *old.expires;
  Statement s(db_, "UPDATE api_keys SET expires_at = ? WHERE id = ?");
  bool ok = created && s.ok() && s.Bind(1, Seconds(old_end)).Bind(2, old.id).Step() == SQLITE_DONE;
  if (!ok) {
    Error err = created ? DbError(db_, "rotate") : created.error();
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    return err;
  }
  if (sqlite3_exec(db_, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK) return DbError(db_, "rotate");
  return created;
}

Status ApiKeyStore::RecordUse(std::string_view id, TimePoint when, std::string_view address) {
  std::lock_guard lock(mu_);
  Statement s(db_, "UPDATE api_keys SET last_used_at = ?, last_used_address = ? WHERE id = ?");
  if (!s.ok()) return DbError(db_, "record use");
  s.Bind(1, Seconds(when)).Bind(2, address).Bind(3, id);
  if (s.Step() != SQLITE_DONE) return DbError(db_, "record use");
  return OkStatus();
}

Result<std::int64_t> ApiKeyStore::DataVersion() {
  std::lock_guard lock(mu_);
  Statement s(db_, "PRAGMA data_version");
  if (!s.ok() || s.Step() != SQLITE_ROW) return DbError(db_, "data_version");
  return s.Int(0);
}

}  // namespace aip::apikeys
