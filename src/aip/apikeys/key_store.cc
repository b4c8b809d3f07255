#include "aip/apikeys/key_store.h"

#include <sys/stat.h>

#include "aip/base/file_io.h"
#include "aip/crypto/random.h"
#include "aip/identity/key_store.h"

namespace aip::apikeys {
namespace {

using sqlite::FromSeconds;
using sqlite::Seconds;
using sqlite::Statement;

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

ApiKeyStore::ApiKeyStore(std::unique_ptr<sqlite::Database> db, const crypto::SecretBytes& hash_key)
    : db_(std::move(db)), hash_key_(hash_key.RevealSecret()) {}

ApiKeyStore::~ApiKeyStore() = default;

Result<std::unique_ptr<ApiKeyStore>> ApiKeyStore::Open(const std::filesystem::path& db_path) {
  AIP_ASSIGN_OR_RETURN(auto db, sqlite::Database::OpenPrivate(db_path, kSchema));
  AIP_ASSIGN_OR_RETURN(auto hash_key, LoadOrCreateHashKey(db_path.string() + ".hashkey"));
  return std::unique_ptr<ApiKeyStore>(new ApiKeyStore(std::move(db), hash_key));
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
  Statement s(*db_, std::string("INSERT INTO api_keys (") + kColumns + ") VALUES (?,?,?,?,?,?,?,NULL,NULL,NULL,?)");
  if (!s.ok()) return db_->ErrorFor("insert");
  s.Bind(1, r.id).Bind(2, r.name).Bind(3, ByteSpan(r.hash)).Bind(4, json::Serialize(ToArray(r.scopes)));
  s.Bind(5, json::Serialize(ToArray(r.tools))).Bind(6, Seconds(r.created)).Bind(7, r.expires);
  if (rotated_from.empty()) {
    s.BindNull(8);
  } else {
    s.Bind(8, rotated_from);
  }
  if (s.Step() != sqlite::kDone) return db_->ErrorFor("insert");
  return CreatedKey{FormatKey(parsed), std::move(r)};
}

Result<CreatedKey> ApiKeyStore::Create(const NewKeyOptions& options, TimePoint now) {
  std::lock_guard lock(mu_);
  return Insert(options, now, "");
}

Result<std::vector<KeyRecord>> ApiKeyStore::List() {
  std::lock_guard lock(mu_);
  Statement s(*db_, std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY created_at, id");
  if (!s.ok()) return db_->ErrorFor("list");
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.Step()) == sqlite::kRow) out.push_back(ReadRow(s));
  if (rc != sqlite::kDone) return db_->ErrorFor("list");
  return out;
}

Result<KeyRecord> ApiKeyStore::Get(std::string_view id) {
  std::lock_guard lock(mu_);
  Statement s(*db_, std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = ?");
  if (!s.ok()) return db_->ErrorFor("get");
  s.Bind(1, id);
  int rc = s.Step();
  if (rc == sqlite::kRow) return ReadRow(s);
  if (rc == sqlite::kDone) return NotFoundError("no API key with id " + std::string(id));
  return db_->ErrorFor("get");
}

Status ApiKeyStore::Revoke(std::string_view id, TimePoint now) {
  std::lock_guard lock(mu_);
  Statement s(*db_, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  if (!s.ok()) return db_->ErrorFor("revoke");
  s.Bind(1, Seconds(now)).Bind(2, id);
  if (s.Step() != sqlite::kDone) return db_->ErrorFor("revoke");
  if (db_->Changes() != 1) return NotFoundError("no active API key with id " + std::string(id));
  return OkStatus();
}

Result<CreatedKey> ApiKeyStore::Rotate(std::string_view id, std::chrono::seconds overlap, TimePoint now) {
  AIP_ASSIGN_OR_RETURN(KeyRecord old, Get(id));
  if (old.revoked) return FailedPreconditionError("API key " + old.id + " is revoked");
  if (old.expires && *old.expires <= now) return FailedPreconditionError("API key " + old.id + " has expired");
  std::lock_guard lock(mu_);
  AIP_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE;"));
  NewKeyOptions options{old.name, old.scopes, old.tools, std::nullopt};
  if (old.expires) options.lifetime = std::chrono::duration_cast<std::chrono::seconds>(*old.expires - old.created);
  auto created = Insert(options, now, old.id);
  TimePoint old_end = std::chrono::time_point_cast<std::chrono::seconds>(now + overlap);
  if (old.expires && *old.expires < old_end) old_end = *old.expires;
  Statement s(*db_, "UPDATE api_keys SET expires_at = ? WHERE id = ?");
  bool ok = created && s.ok() && s.Bind(1, Seconds(old_end)).Bind(2, old.id).Step() == sqlite::kDone;
  if (!ok) {
    Error err = created ? db_->ErrorFor("rotate") : created.error();
    (void)db_->Exec("ROLLBACK;");
    return err;
  }
  AIP_RETURN_IF_ERROR(db_->Exec("COMMIT;"));
  return created;
}

Status ApiKeyStore::RecordUse(std::string_view id, TimePoint when, std::string_view address) {
  std::lock_guard lock(mu_);
  Statement s(*db_, "UPDATE api_keys SET last_used_at = ?, last_used_address = ? WHERE id = ?");
  if (!s.ok()) return db_->ErrorFor("record use");
  s.Bind(1, Seconds(when)).Bind(2, address).Bind(3, id);
  if (s.Step() != sqlite::kDone) return db_->ErrorFor("record use");
  return OkStatus();
}

Result<std::int64_t> ApiKeyStore::DataVersion() {
  std::lock_guard lock(mu_);
  return db_->DataVersion();
}

}  // namespace aip::apikeys
