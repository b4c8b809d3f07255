#include "aip/trust/trust_store.h"

#include "aip/identity/key_store.h"

namespace aip::trust {
namespace {

using sqlite::Statement;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS anchors (did TEXT PRIMARY KEY, added_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vouches (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL,
  weight REAL NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER,
  origin TEXT NOT NULL,
  document TEXT NOT NULL,
  added_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS revocations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  vouch_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  revoked_at INTEGER NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (vouch_id, issuer)
);
CREATE INDEX IF NOT EXISTS vouches_subject ON vouches (subject);
)sql";

constexpr const char* kVouchColumns = "id, issuer, subject, scope, weight, valid_from, valid_until, origin, document, seq";
constexpr const char* kRevokedExpr = "EXISTS (SELECT 1 FROM revocations r WHERE r.vouch_id = v.id AND r.issuer = v.issuer)";

StoredVouch ReadVouch(const Statement& s) {
  StoredVouch out;
  Vouch& v = out.vouch;
  v.id = s.Text(0);
  v.issuer = s.Text(1);
  v.subject = s.Text(2);
  v.scope = s.Text(3);
  v.weight = s.Real(4);
  v.valid_from = sqlite::FromSeconds(s.Int(5));
  v.valid_until = s.Time(6);
  out.origin = s.Text(7);
  auto doc = json::ParseJsonObject(s.Text(8));
  if (doc) v.document = std::move(*doc);
  return out;
}

EdgeInput ToEdge(const Vouch& v) { return EdgeInput{v.issuer, v.subject, v.scope, v.weight, v.valid_from, v.valid_until, v.id}; }

}  // namespace

std::filesystem::path DefaultTrustDatabasePath() { return identity::KeyStore::DefaultHome() / "trust.db"; }

Result<std::unique_ptr<TrustStore>> TrustStore::Open(const std::filesystem::path& path) {
  AIP_ASSIGN_OR_RETURN(auto db, sqlite::Database::OpenPrivate(path, kSchema));
  return std::unique_ptr<TrustStore>(new TrustStore(std::move(db)));
}

Status TrustStore::AddAnchor(std::string_view did, TimePoint now) {
  if (!did.starts_with("did:")) return InvalidArgumentError("an anchor must be a DID");
  std::lock_guard lock(mu_);
  Statement s(*db_, "INSERT OR IGNORE INTO anchors (did, added_at) VALUES (?, ?)");
  if (!s.ok() || s.Bind(1, did).Bind(2, sqlite::Seconds(now)).Step() != sqlite::kDone) return db_->ErrorFor("add anchor");
  return OkStatus();
}

Status TrustStore::RemoveAnchor(std::string_view did) {
  std::lock_guard lock(mu_);
  Statement s(*db_, "DELETE FROM anchors WHERE did = ?");
  if (!s.ok() || s.Bind(1, did).Step() != sqlite::kDone) return db_->ErrorFor("remove anchor");
  if (db_->Changes() != 1) return NotFoundError(std::string(did) + " is not an anchor");
  return OkStatus();
}

Result<std::vector<std::string>> TrustStore::Anchors() {
  std::lock_guard lock(mu_);
  Statement s(*db_, "SELECT did FROM anchors ORDER BY added_at, did");
  if (!s.ok()) return db_->ErrorFor("anchors");
  std::vector<std::string> out;
  while (s.Step() == sqlite::kRow) out.push_back(s.Text(0));
  return out;
}

Result<bool> TrustStore::AddVouch(const Vouch& v, std::string_view origin, TimePoint now) {
  std::lock_guard lock(mu_);
  Statement revoked(*db_, "SELECT 1 FROM revocations WHERE vouch_id = ? AND issuer = ?");
  if (!revoked.ok()) return db_->ErrorFor("add vouch");
  if (revoked.Bind(1, v.id).Bind(2, v.issuer).Step() == sqlite::kRow) {
    return FailedPreconditionError("vouch " + v.id + " was revoked by its issuer; it stays revoked");
  }
  Statement s(*db_, "INSERT OR IGNORE INTO vouches (id, issuer, subject, scope, weight, valid_from, valid_until, origin, document, added_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?)");
  if (!s.ok()) return db_->ErrorFor("add vouch");
  s.Bind(1, v.id).Bind(2, v.issuer).Bind(3, v.subject).Bind(4, v.scope).Bind(5, v.weight);
  s.Bind(6, sqlite::Seconds(v.valid_from)).Bind(7, v.valid_until).Bind(8, origin).Bind(9, json::Serialize(v.document));
  s.Bind(10, sqlite::Seconds(now));
  if (s.Step() != sqlite::kDone) return db_->ErrorFor("add vouch");
  return db_->Changes() == 1;
}

Result<bool> TrustStore::AddRevocation(const Revocation& r) {
  std::lock_guard lock(mu_);
  Statement s(*db_, "INSERT OR IGNORE INTO revocations (vouch_id, issuer, revoked_at, document) VALUES (?,?,?,?)");
  if (!s.ok()) return db_->ErrorFor("add revocation");
  s.Bind(1, r.vouch_id).Bind(2, r.issuer).Bind(3, sqlite::Seconds(r.revoked_at)).Bind(4, json::Serialize(r.document));
  if (s.Step() != sqlite::kDone) return db_->ErrorFor("add revocation");
  return db_->Changes() == 1;
}

Result<StoredVouch> TrustStore::FindVouch(std::string_view id_or_prefix) {
  if (id_or_prefix.size() < 12) return InvalidArgumentError("give at least 12 characters of the vouch id");
  std::lock_guard lock(mu_);
  Statement s(*db_, std::string("SELECT ") + kVouchColumns + ", " + kRevokedExpr + " FROM vouches v WHERE substr(id, 1, ?) = ? LIMIT 2");
  if (!s.ok()) return db_->ErrorFor("find vouch");
  s.Bind(1, static_cast<std::int64_t>(id_or_prefix.size())).Bind(2, id_or_prefix);
  if (s.Step() != sqlite::kRow) return NotFoundError("no vouch " + std::string(id_or_prefix));
  StoredVouch v = ReadVouch(s);
  v.revoked = s.Int(10) != 0;
  if (s.Step() == sqlite::kRow) return InvalidArgumentError(std::string(id_or_prefix) + " names more than one vouch");
  return v;
}

Result<std::vector<StoredVouch>> TrustStore::Vouches() {
  std::lock_guard lock(mu_);
  Statement s(*db_, std::string("SELECT ") + kVouchColumns + ", " + kRevokedExpr + " FROM vouches v ORDER BY seq");
  if (!s.ok()) return db_->ErrorFor("vouches");
  std::vector<StoredVouch> out;
  while (s.Step() == sqlite::kRow) {
    out.push_back(ReadVouch(s));
    out.back().revoked = s.Int(10) != 0;
  }
  return out;
}

Result<std::vector<Revocation>> TrustStore::Revocations() {
  std::lock_guard lock(mu_);
  Statement s(*db_, "SELECT vouch_id, issuer, revoked_at, document FROM revocations ORDER BY seq");
  if (!s.ok()) return db_->ErrorFor("revocations");
  std::vector<Revocation> out;
  while (s.Step() == sqlite::kRow) {
    Revocation r{s.Text(0), s.Text(1), sqlite::FromSeconds(s.Int(2)), {}};
    if (auto doc = json::ParseJsonObject(s.Text(3))) r.document = std::move(*doc);
    out.push_back(std::move(r));
  }
  return out;
}

Result<StoreChanges> TrustStore::ChangesSince(std::int64_t vouch_seq, std::int64_t revocation_seq) {
  std::lock_guard lock(mu_);
  StoreChanges out{{}, {}, vouch_seq, revocation_seq};
  Statement v(*db_, std::string("SELECT ") + kVouchColumns + " FROM vouches v WHERE seq > ? AND NOT " + kRevokedExpr + " ORDER BY seq");
  if (!v.ok()) return db_->ErrorFor("changes");
  v.Bind(1, vouch_seq);
  while (v.Step() == sqlite::kRow) {
    out.added.push_back(ToEdge(ReadVouch(v).vouch));
    out.vouch_seq = v.Int(9);
  }
  Statement max_seq(*db_, "SELECT COALESCE(MAX(seq), 0) FROM vouches");
  if (max_seq.ok() && max_seq.Step() == sqlite::kRow) out.vouch_seq = std::max(out.vouch_seq, max_seq.Int(0));
  Statement r(*db_, "SELECT issuer, vouch_id, seq FROM revocations WHERE seq > ? ORDER BY seq");
  if (!r.ok()) return db_->ErrorFor("changes");
  r.Bind(1, revocation_seq);
  while (r.Step() == sqlite::kRow) {
    out.revoked.emplace_back(r.Text(0), r.Text(1));
    out.revocation_seq = r.Int(2);
  }
  return out;
}

Result<std::int64_t> TrustStore::DataVersion() {
  std::lock_guard lock(mu_);
  return db_->DataVersion();
}

}  // namespace aip::trust
