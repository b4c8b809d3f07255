#include "aip/trust/trust_store.h"

#include <cstdio>
#include <cstdlib>

#include "aip/identity/key_store.h"
#include "aip/sqlite/database.h"

namespace aip::trust {
namespace {

// The tables, in each backend's words; existing SQLite files keep theirs.
constexpr std::string_view kSqliteSchema = R"sql(
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
CREATE TABLE IF NOT EXISTS rotations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  previous TEXT NOT NULL,
  next TEXT NOT NULL,
  created INTEGER NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (previous, next)
);
CREATE TABLE IF NOT EXISTS deactivations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vouches_subject ON vouches (subject);
)sql";

constexpr std::string_view kPostgresSchema = R"sql(
CREATE TABLE IF NOT EXISTS anchors (did TEXT PRIMARY KEY, added_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS vouches (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL,
  weight DOUBLE PRECISION NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_until BIGINT,
  origin TEXT NOT NULL,
  document TEXT NOT NULL,
  added_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS revocations (
  seq BIGSERIAL PRIMARY KEY,
  vouch_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  revoked_at BIGINT NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (vouch_id, issuer)
);
CREATE TABLE IF NOT EXISTS rotations (
  seq BIGSERIAL PRIMARY KEY,
  previous TEXT NOT NULL,
  next TEXT NOT NULL,
  created BIGINT NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (previous, next)
);
CREATE TABLE IF NOT EXISTS deactivations (
  seq BIGSERIAL PRIMARY KEY,
  did TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL,
  document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vouches_subject ON vouches (subject);
)sql";

constexpr std::string_view kVouchColumns = "id, issuer, subject, scope, weight, valid_from, valid_until, origin, document, seq";
// 1 or 0 in both backends (PostgreSQL's EXISTS alone is a boolean).
constexpr std::string_view kRevokedExpr =
    "CASE WHEN EXISTS (SELECT 1 FROM revocations r WHERE r.vouch_id = v.id AND r.issuer = v.issuer) THEN 1 ELSE 0 END";

using sqlite::FromSeconds;
using sqlite::Seconds;
const std::string& Text(const sql::SqlRow& row, std::size_t i) {
  static const std::string kEmpty;
  return row[i] ? *row[i] : kEmpty;
}

// Weights cross as text: the exact double, read back the same on both backends.
std::string WeightText(double w) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", w);
  return buf;
}

StoredVouch ReadVouch(const sql::SqlRow& row) {
  StoredVouch out;
  Vouch& v = out.vouch;
  v.id = Text(row, 0);
  v.issuer = Text(row, 1);
  v.subject = Text(row, 2);
  v.scope = Text(row, 3);
  v.weight = std::strtod(Text(row, 4).c_str(), nullptr);
  v.valid_from = FromSeconds(sql::IntOf(row[5]));
  if (row[6]) v.valid_until = FromSeconds(sql::IntOf(row[6]));
  out.origin = Text(row, 7);
  if (auto doc = json::ParseJsonObject(Text(row, 8))) v.document = std::move(*doc);
  return out;
}

EdgeInput ToEdge(const Vouch& v) { return EdgeInput{v.issuer, v.subject, v.scope, v.weight, v.valid_from, v.valid_until, v.id}; }

std::string VouchSelect(std::string_view rest) {
  return "SELECT " + std::string(kVouchColumns) + ", " + std::string(kRevokedExpr) + " FROM vouches v " + std::string(rest);
}

}  // namespace

std::filesystem::path DefaultTrustDatabasePath() { return identity::KeyStore::DefaultHome() / "trust.db"; }

Result<std::unique_ptr<TrustStore>> TrustStore::Open(const std::string& where) {
  bool postgres = where.starts_with("postgresql://") || where.starts_with("postgres://");
  AIP_ASSIGN_OR_RETURN(auto db,
                       postgres ? sql::OpenPostgres(where) : sql::OpenSqlite(where.starts_with("sqlite:") ? where.substr(7) : where));
  {
    // Instances starting together must not race to create the tables.
    sql::Transaction tx(*db);
    AIP_RETURN_IF_ERROR(tx.Begin());
    AIP_RETURN_IF_ERROR(db->ExecScript(postgres ? kPostgresSchema : kSqliteSchema));
    AIP_RETURN_IF_ERROR(tx.Commit());
  }
  return std::unique_ptr<TrustStore>(new TrustStore(std::move(db)));
}

Status TrustStore::AddAnchor(std::string_view did, TimePoint now) {
  if (!did.starts_with("did:")) return InvalidArgumentError("an anchor must be a DID");
  std::lock_guard lock(mu_);
  return db_->Query("INSERT INTO anchors (did, added_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING", {std::string(did), Seconds(now)})
      .status();
}

Status TrustStore::RemoveAnchor(std::string_view did) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query("DELETE FROM anchors WHERE did = ?1 RETURNING did", {std::string(did)}));
  if (rows.size() != 1) return NotFoundError(std::string(did) + " is not an anchor");
  return OkStatus();
}

Result<std::vector<std::string>> TrustStore::Anchors() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT did FROM anchors ORDER BY added_at, did"));
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(Text(row, 0));
  return out;
}

Result<bool> TrustStore::AddVouch(const Vouch& v, std::string_view origin, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto revoked, db_->Query("SELECT 1 FROM revocations WHERE vouch_id = ?1 AND issuer = ?2", {v.id, v.issuer}));
  if (!revoked.empty()) return FailedPreconditionError("vouch " + v.id + " was revoked by its issuer; it stays revoked");
  sql::SqlValue until = v.valid_until ? sql::SqlValue(Seconds(*v.valid_until)) : sql::SqlValue(nullptr);
  AIP_ASSIGN_OR_RETURN(
      auto inserted,
      db_->Query("INSERT INTO vouches (id, issuer, subject, scope, weight, valid_from, valid_until, origin, document, added_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING RETURNING seq",
                 {v.id, v.issuer, v.subject, v.scope, WeightText(v.weight), Seconds(v.valid_from), until, std::string(origin),
                  json::Serialize(v.document), Seconds(now)}));
  AIP_RETURN_IF_ERROR(tx.Commit());
  return !inserted.empty();
}

Result<bool> TrustStore::AddRevocation(const Revocation& r) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto inserted, db_->Query("INSERT INTO revocations (vouch_id, issuer, revoked_at, document) "
                                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING RETURNING seq",
                                                 {r.vouch_id, r.issuer, Seconds(r.revoked_at), json::Serialize(r.document)}));
  AIP_RETURN_IF_ERROR(tx.Commit());
  return !inserted.empty();
}

Result<bool> TrustStore::AddRotation(const identity::KeyRotation& r) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto inserted, db_->Query("INSERT INTO rotations (previous, next, created, document) VALUES (?1, ?2, ?3, ?4) "
                                                 "ON CONFLICT DO NOTHING RETURNING seq",
                                                 {r.previous_did, r.next_did, Seconds(r.created), json::Serialize(r.ToJson())}));
  return !inserted.empty();
}

Result<bool> TrustStore::AddDeactivation(const identity::Deactivation& d) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto inserted, db_->Query("INSERT INTO deactivations (did, created, document) VALUES (?1, ?2, ?3) "
                                                 "ON CONFLICT DO NOTHING RETURNING seq",
                                                 {d.did, Seconds(d.created), json::Serialize(d.ToJson())}));
  return !inserted.empty();
}

Result<IdentityLinks> TrustStore::Links() {
  std::lock_guard lock(mu_);
  IdentityLinks links;
  AIP_ASSIGN_OR_RETURN(auto rotations, db_->Query("SELECT previous, next, created FROM rotations ORDER BY seq"));
  for (const auto& row : rotations) links.AddRotation(Text(row, 0), Text(row, 1), FromSeconds(sql::IntOf(row[2])));
  AIP_ASSIGN_OR_RETURN(auto deactivations, db_->Query("SELECT did, created FROM deactivations ORDER BY seq"));
  for (const auto& row : deactivations) links.AddDeactivation(Text(row, 0), FromSeconds(sql::IntOf(row[1])));
  return links;
}

Result<StoredVouch> TrustStore::FindVouch(std::string_view id_or_prefix) {
  if (id_or_prefix.size() < 12) return InvalidArgumentError("give at least 12 characters of the vouch id");
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query(VouchSelect("WHERE substr(id, 1, CAST(?1 AS INTEGER)) = ?2 LIMIT 2"),
                                             {static_cast<std::int64_t>(id_or_prefix.size()), std::string(id_or_prefix)}));
  if (rows.empty()) return NotFoundError("no vouch " + std::string(id_or_prefix));
  if (rows.size() > 1) return InvalidArgumentError(std::string(id_or_prefix) + " names more than one vouch");
  StoredVouch v = ReadVouch(rows[0]);
  v.revoked = sql::IntOf(rows[0][10]) != 0;
  return v;
}

Result<std::vector<StoredVouch>> TrustStore::Vouches() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query(VouchSelect("ORDER BY seq")));
  std::vector<StoredVouch> out;
  for (const auto& row : rows) {
    out.push_back(ReadVouch(row));
    out.back().revoked = sql::IntOf(row[10]) != 0;
  }
  return out;
}

Result<std::vector<Revocation>> TrustStore::Revocations() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT vouch_id, issuer, revoked_at, document FROM revocations ORDER BY seq"));
  std::vector<Revocation> out;
  for (const auto& row : rows) {
    Revocation r{Text(row, 0), Text(row, 1), FromSeconds(sql::IntOf(row[2])), {}};
    if (auto doc = json::ParseJsonObject(Text(row, 3))) r.document = std::move(*doc);
    out.push_back(std::move(r));
  }
  return out;
}

Result<StoreChanges> TrustStore::ChangesSince(std::int64_t vouch_seq, std::int64_t revocation_seq) {
  std::lock_guard lock(mu_);
  StoreChanges out{{}, {}, vouch_seq, revocation_seq};
  // Rows are never deleted, so the count moves exactly when a rotation or deactivation arrives.
  AIP_ASSIGN_OR_RETURN(auto identity, db_->Query("SELECT (SELECT COUNT(*) FROM rotations) + (SELECT COUNT(*) FROM deactivations)"));
  out.identity_records = identity.empty() ? 0 : sql::IntOf(identity[0][0]);
  AIP_ASSIGN_OR_RETURN(auto vouches, db_->Query(VouchSelect("WHERE seq > ?1 ORDER BY seq"), {vouch_seq}));
  for (const auto& row : vouches) {
    if (sql::IntOf(row[10]) == 0) out.added.push_back(ToEdge(ReadVouch(row).vouch));
    out.vouch_seq = sql::IntOf(row[9]);
  }
  AIP_ASSIGN_OR_RETURN(auto revocations,
                       db_->Query("SELECT issuer, vouch_id, seq FROM revocations WHERE seq > ?1 ORDER BY seq", {revocation_seq}));
  for (const auto& row : revocations) {
    out.revoked.emplace_back(Text(row, 0), Text(row, 1));
    out.revocation_seq = sql::IntOf(row[2]);
  }
  return out;
}

}  // namespace aip::trust
