#include "aip/registry/registry_store.h"

#include <charconv>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/random.h"
#include "aip/identity/key_store.h"
#include "aip/sqlite/database.h"

namespace aip::registry {
namespace {

// The two schemas differ only in how the log's sequence is declared.
constexpr std::string_view kTables = R"sql(
CREATE TABLE IF NOT EXISTS agents (
  did TEXT PRIMARY KEY, alias TEXT NOT NULL, name TEXT NOT NULL, platform TEXT NOT NULL,
  description TEXT NOT NULL, url TEXT NOT NULL, search TEXT NOT NULL, updated_ms BIGINT NOT NULL,
  seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS agents_alias ON agents(alias);
CREATE TABLE IF NOT EXISTS vouches (
  id TEXT PRIMARY KEY, issuer TEXT NOT NULL, subject TEXT NOT NULL, scope TEXT NOT NULL,
  weight_ppm BIGINT NOT NULL, valid_from BIGINT NOT NULL, valid_until BIGINT, seq BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS vouches_seq ON vouches(seq);
CREATE INDEX IF NOT EXISTS vouches_issuer ON vouches(issuer, subject);
CREATE INDEX IF NOT EXISTS vouches_subject ON vouches(subject);
CREATE TABLE IF NOT EXISTS revocations (
  vouch_id TEXT NOT NULL, issuer TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (vouch_id, issuer));
CREATE INDEX IF NOT EXISTS revocations_seq ON revocations(seq);
CREATE INDEX IF NOT EXISTS revocations_issuer ON revocations(issuer);
CREATE TABLE IF NOT EXISTS rotations (
  previous TEXT PRIMARY KEY, next TEXT NOT NULL UNIQUE, created BIGINT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS deactivations (did TEXT PRIMARY KEY, created BIGINT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, recipient TEXT NOT NULL, sealed TEXT NOT NULL, received BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_recipient ON messages(recipient, received);
CREATE TABLE IF NOT EXISTS nonces (key TEXT PRIMARY KEY, expires BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS nonces_expires ON nonces(expires);
CREATE TABLE IF NOT EXISTS bot_directories (
  name TEXT PRIMARY KEY, did TEXT NOT NULL UNIQUE, body TEXT NOT NULL, headers TEXT NOT NULL,
  expires BIGINT NOT NULL, updated BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS peers (
  url TEXT PRIMARY KEY, cursor BIGINT NOT NULL DEFAULT 0, accepted BIGINT NOT NULL DEFAULT 0,
  rejected BIGINT NOT NULL DEFAULT 0, conflicts BIGINT NOT NULL DEFAULT 0, last_sync BIGINT,
  last_error TEXT NOT NULL DEFAULT '');
)sql";
constexpr std::string_view kSqliteLog =
    "CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
    "key TEXT NOT NULL, document TEXT NOT NULL, received BIGINT NOT NULL);";
constexpr std::string_view kPostgresLog =
    "CREATE TABLE IF NOT EXISTS records (seq BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, "
    "key TEXT NOT NULL, document TEXT NOT NULL, received BIGINT NOT NULL);";

using sqlite::FromSeconds;
using sqlite::Seconds;

std::int64_t Millis(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

std::string Text(const std::optional<std::string>& cell) { return cell.value_or(std::string()); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// LikePattern makes "%query%" with LIKE's wildcards escaped (ESCAPE '!').
std::string LikePattern(std::string_view query) {
  std::string out = "%";
  for (char c : Lower(query)) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

}  // namespace

Result<std::unique_ptr<RegistryStore>> RegistryStore::Open(std::unique_ptr<sql::SqlConnection> db) {
  std::string schema(kTables);
  schema += db->dialect() == sql::Dialect::kSqlite ? kSqliteLog : kPostgresLog;
  // Registries made before message quotas lack their columns: add them.
  auto quota_columns = [](std::string_view if_not_exists) {
    std::string add = "ALTER TABLE messages ADD COLUMN " + std::string(if_not_exists);
    return add + "sender_tag TEXT NOT NULL DEFAULT '';" + add + "contact INTEGER NOT NULL DEFAULT 0;" +
           "CREATE INDEX IF NOT EXISTS messages_sender ON messages(recipient, sender_tag);";
  };
  if (db->dialect() == sql::Dialect::kPostgres) {
    // Instances starting together on one database: the transaction's lock lets one create the
    // tables while the others wait, then find them there.
    schema += quota_columns("IF NOT EXISTS ");
    sql::Transaction tx(*db);
    AIP_RETURN_IF_ERROR(tx.Begin());
    AIP_RETURN_IF_ERROR(db->ExecScript(schema));
    AIP_RETURN_IF_ERROR(tx.Commit());
  } else {
    AIP_RETURN_IF_ERROR(db->ExecScript(schema));
    if (!db->Query("SELECT sender_tag, contact FROM messages LIMIT 0", {}).ok()) {
      AIP_RETURN_IF_ERROR(db->ExecScript(quota_columns("")));
    }
  }
  return std::unique_ptr<RegistryStore>(new RegistryStore(std::move(db)));
}

Result<std::vector<sql::SqlRow>> RegistryStore::Q(std::string_view sql, const std::vector<sql::SqlValue>& params) {
  return db_->Query(sql, params);
}

Result<std::int64_t> RegistryStore::AppendLog(std::string_view kind, std::string_view key, const std::string& document, TimePoint now) {
  AIP_ASSIGN_OR_RETURN(auto rows, Q("INSERT INTO records(kind, key, document, received) VALUES (?1, ?2, ?3, ?4) RETURNING seq",
                                    {std::string(kind), std::string(key), document, Seconds(now)}));
  if (rows.empty()) return InternalError("records: no sequence returned");
  return sql::IntOf(rows[0][0]);
}

Result<PutOutcome> RegistryStore::PutAgent(const AgentRecord& record, TimePoint now) {
  std::lock_guard lock(mu_);
  std::string document = json::Serialize(record.document);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_RETURN_IF_ERROR(RefuseEndedLocked(record.did, "registration"));
  AIP_ASSIGN_OR_RETURN(auto held, Q("SELECT a.updated_ms, r.document FROM agents a JOIN records r ON r.seq = a.seq "
                                    "WHERE a.did = ?1",
                                    {record.did}));
  std::int64_t updated = Millis(record.updated);
  PutOutcome outcome = PutOutcome::kInserted;
  if (!held.empty()) {
    std::int64_t held_updated = sql::IntOf(held[0][0]);
    if (updated < held_updated) return FailedPreconditionError("registration: older than the one held (stale)");
    if (updated == held_updated) {
      // Compare canonical forms: the same signed document may arrive with other spacing.
      AIP_ASSIGN_OR_RETURN(auto held_doc, json::ParseJsonObject(Text(held[0][1])));
      AIP_ASSIGN_OR_RETURN(auto a, json::Canonicalize(held_doc));
      AIP_ASSIGN_OR_RETURN(auto b, json::Canonicalize(record.document));
      if (a == b) return PutOutcome::kUnchanged;
      return AlreadyExistsError("registration: conflicts with the one held (same time, other contents)");
    }
    outcome = PutOutcome::kUpdated;
  }
  AIP_ASSIGN_OR_RETURN(std::int64_t seq, AppendLog("agent", record.did, document, now));
  const Profile& p = record.profile;
  std::string search = Lower(p.name + "\n" + p.platform + "\n" + record.did + "\n" + record.alias);
  // An update replaces the row: the log keeps the history.
  AIP_RETURN_IF_ERROR(Q("DELETE FROM agents WHERE did = ?1", {record.did}).status());
  AIP_RETURN_IF_ERROR(Q("INSERT INTO agents(did, alias, name, platform, description, url, search, updated_ms, seq) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        {record.did, record.alias, p.name, p.platform, p.description, p.url, search, updated, seq})
                          .status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return outcome;
}

Status RegistryStore::RefuseEndedLocked(std::string_view did, std::string_view what) {
  AIP_ASSIGN_OR_RETURN(auto rotated, Q("SELECT next FROM rotations WHERE previous = ?1", {std::string(did)}));
  if (!rotated.empty()) {
    return FailedPreconditionError(std::string(what) + ": " + std::string(did) + " was rotated to " + Text(rotated[0][0]) +
                                   "; sign with the current key");
  }
  AIP_ASSIGN_OR_RETURN(auto gone, Q("SELECT 1 FROM deactivations WHERE did = ?1", {std::string(did)}));
  if (!gone.empty()) return FailedPreconditionError(std::string(what) + ": " + std::string(did) + " was deactivated");
  return OkStatus();
}

Status RegistryStore::CheckActive(std::string_view did, std::string_view what) {
  std::lock_guard lock(mu_);
  return RefuseEndedLocked(did, what);
}

Result<PutOutcome> RegistryStore::PutRotation(const identity::KeyRotation& rotation, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto held, Q("SELECT next FROM rotations WHERE previous = ?1", {rotation.previous_did}));
  if (!held.empty()) {
    if (Text(held[0][0]) == rotation.next_did) return PutOutcome::kUnchanged;
    // First come, first kept: once a key is rotated, it can do nothing more here — not even
    // rotate again, which is what a thief holding the old key would try.
    return AlreadyExistsError("rotation: " + rotation.previous_did + " was already rotated to " + Text(held[0][0]));
  }
  AIP_ASSIGN_OR_RETURN(auto gone, Q("SELECT 1 FROM deactivations WHERE did = ?1", {rotation.previous_did}));
  if (!gone.empty()) return FailedPreconditionError("rotation: " + rotation.previous_did + " was deactivated");
  // The new key must be fresh: a key that already belongs to a chain cannot join another.
  AIP_ASSIGN_OR_RETURN(auto taken, Q("SELECT 1 FROM rotations WHERE previous = ?1 OR next = ?1 UNION ALL "
                                     "SELECT 1 FROM deactivations WHERE did = ?1",
                                     {rotation.next_did}));
  if (!taken.empty()) return AlreadyExistsError("rotation: " + rotation.next_did + " already has a rotation history or was deactivated");
  AIP_ASSIGN_OR_RETURN(std::int64_t seq, AppendLog("rotation", rotation.previous_did, json::Serialize(rotation.ToJson()), now));
  AIP_RETURN_IF_ERROR(Q("INSERT INTO rotations(previous, next, created, seq) VALUES (?1, ?2, ?3, ?4)",
                        {rotation.previous_did, rotation.next_did, Seconds(rotation.created), seq})
                          .status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return PutOutcome::kInserted;
}

Result<PutOutcome> RegistryStore::PutDeactivation(const identity::Deactivation& deactivation, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto held, Q("SELECT 1 FROM deactivations WHERE did = ?1", {deactivation.did}));
  if (!held.empty()) return PutOutcome::kUnchanged;
  AIP_ASSIGN_OR_RETURN(auto rotated, Q("SELECT next FROM rotations WHERE previous = ?1", {deactivation.did}));
  if (!rotated.empty()) {
    return FailedPreconditionError("deactivation: " + deactivation.did + " was rotated to " + Text(rotated[0][0]) +
                                   "; the current key deactivates the identity");
  }
  AIP_ASSIGN_OR_RETURN(std::int64_t seq, AppendLog("deactivation", deactivation.did, json::Serialize(deactivation.ToJson()), now));
  AIP_RETURN_IF_ERROR(
      Q("INSERT INTO deactivations(did, created, seq) VALUES (?1, ?2, ?3)", {deactivation.did, Seconds(deactivation.created), seq})
          .status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return PutOutcome::kInserted;
}

Result<IdentityHistory> RegistryStore::History(std::string_view did) {
  std::lock_guard lock(mu_);
  // Back to the first key, then forward to the current one; both walks bounded.
  std::string first(did);
  for (int hops = 0; hops < kMaxChain; ++hops) {
    AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT previous FROM rotations WHERE next = ?1", {first}));
    if (rows.empty()) break;
    first = Text(rows[0][0]);
  }
  IdentityHistory h;
  h.current = first;
  for (int hops = 0; hops < kMaxChain; ++hops) {
    AIP_ASSIGN_OR_RETURN(
        auto rows, Q("SELECT r.next, d.document FROM rotations r JOIN records d ON d.seq = r.seq WHERE r.previous = ?1", {h.current}));
    if (rows.empty()) break;
    h.current = Text(rows[0][0]);
    h.rotations.push_back(Text(rows[0][1]));
  }
  AIP_ASSIGN_OR_RETURN(auto gone,
                       Q("SELECT d.document FROM deactivations x JOIN records d ON d.seq = x.seq WHERE x.did = ?1", {h.current}));
  if (!gone.empty()) h.deactivation = Text(gone[0][0]);
  return h;
}

Result<trust::IdentityLinks> RegistryStore::Links() {
  std::lock_guard lock(mu_);
  trust::IdentityLinks links;
  AIP_ASSIGN_OR_RETURN(auto rotations, Q("SELECT previous, next, created FROM rotations ORDER BY seq"));
  for (const auto& row : rotations) links.AddRotation(Text(row[0]), Text(row[1]), FromSeconds(sql::IntOf(row[2])));
  AIP_ASSIGN_OR_RETURN(auto deactivations, Q("SELECT did, created FROM deactivations ORDER BY seq"));
  for (const auto& row : deactivations) links.AddDeactivation(Text(row[0]), FromSeconds(sql::IntOf(row[1])));
  return links;
}

Result<std::int64_t> RegistryStore::IdentityRecords() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT (SELECT COUNT(*) FROM rotations) + (SELECT COUNT(*) FROM deactivations)"));
  return rows.empty() ? 0 : sql::IntOf(rows[0][0]);
}

Result<std::vector<StoredAgent>> RegistryStore::AgentsWhere(std::string_view where, const std::vector<sql::SqlValue>& params) {
  std::lock_guard lock(mu_);
  // `where` is one of the fixed conditions chosen by the callers below, never input.
  std::string sql =
      "SELECT a.did, a.alias, a.name, a.platform, a.description, a.url, a.updated_ms, r.document "
      "FROM agents a JOIN records r ON r.seq = a.seq WHERE " +
      std::string(where);
  AIP_ASSIGN_OR_RETURN(auto rows, Q(sql, params));
  std::vector<StoredAgent> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    out.push_back({Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4]), Text(row[5]),
                   TimePoint(std::chrono::milliseconds(sql::IntOf(row[6]))), Text(row[7])});
  }
  return out;
}

Result<std::optional<StoredAgent>> RegistryStore::GetAgent(std::string_view did) {
  AIP_ASSIGN_OR_RETURN(auto rows, AgentsWhere("a.did = ?1 OR a.alias = ?1", {std::string(did)}));
  if (rows.empty()) return std::optional<StoredAgent>();
  return std::optional<StoredAgent>(std::move(rows[0]));
}

Result<std::vector<StoredAgent>> RegistryStore::Directory(std::string_view query, std::string_view after, int limit) {
  // Retired keys and ended identities are not listed: their registrations stay in the log.
  constexpr std::string_view kCurrent =
      " AND NOT EXISTS (SELECT 1 FROM rotations x WHERE x.previous = a.did)"
      " AND NOT EXISTS (SELECT 1 FROM deactivations x WHERE x.did = a.did)";
  if (query.empty()) {
    return AgentsWhere("a.did > ?1" + std::string(kCurrent) + " ORDER BY a.did LIMIT ?2", {std::string(after), std::int64_t{limit}});
  }
  return AgentsWhere("a.did > ?1 AND a.search LIKE ?2 ESCAPE '!'" + std::string(kCurrent) + " ORDER BY a.did LIMIT ?3",
                     {std::string(after), LikePattern(query), std::int64_t{limit}});
}

Result<bool> RegistryStore::InsertVouch(const trust::Vouch& vouch, TimePoint now) {
  // Only the vouch's own issuer can have revoked it (anyone can sign a "revocation" of any id).
  AIP_ASSIGN_OR_RETURN(auto revoked, Q("SELECT 1 FROM revocations WHERE vouch_id = ?1 AND issuer = ?2", {vouch.id, vouch.issuer}));
  if (!revoked.empty()) return FailedPreconditionError("vouch: revoked by its issuer");
  AIP_RETURN_IF_ERROR(RefuseEndedLocked(vouch.issuer, "vouch: issuer"));
  // A vouch for a rotated key still counts for its current one; for an ended identity, never.
  AIP_ASSIGN_OR_RETURN(auto gone, Q("SELECT 1 FROM deactivations WHERE did = ?1", {vouch.subject}));
  if (!gone.empty()) return FailedPreconditionError("vouch: the subject's identity was deactivated");
  AIP_ASSIGN_OR_RETURN(auto held, Q("SELECT 1 FROM vouches WHERE id = ?1", {vouch.id}));
  if (!held.empty()) return false;
  std::string document = json::Serialize(vouch.document);
  AIP_ASSIGN_OR_RETURN(std::int64_t seq, AppendLog("vouch", vouch.id, document, now));
  sql::SqlValue until = nullptr;
  if (vouch.valid_until) until = Seconds(*vouch.valid_until);
  auto ppm = static_cast<std::int64_t>(vouch.weight * 1e6 + 0.5);
  AIP_RETURN_IF_ERROR(Q("INSERT INTO vouches(id, issuer, subject, scope, weight_ppm, valid_from, valid_until, seq) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        {vouch.id, vouch.issuer, vouch.subject, vouch.scope, ppm, Seconds(vouch.valid_from), until, seq})
                          .status());
  return true;
}

Result<PutOutcome> RegistryStore::PutVouch(const trust::Vouch& vouch, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(bool inserted, InsertVouch(vouch, now));
  if (!inserted) return PutOutcome::kUnchanged;
  AIP_RETURN_IF_ERROR(tx.Commit());
  return PutOutcome::kInserted;
}

Result<std::size_t> RegistryStore::PutVouches(const std::vector<trust::Vouch>& vouches, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  std::size_t added = 0;
  for (const auto& v : vouches) {
    auto inserted = InsertVouch(v, now);
    if (inserted) {
      added += *inserted ? 1 : 0;
    } else if (inserted.error().code != ErrorCode::kFailedPrecondition) {
      return inserted.error();
    }
  }
  AIP_RETURN_IF_ERROR(tx.Commit());
  return added;
}

Result<PutOutcome> RegistryStore::PutRevocation(const trust::Revocation& revocation, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto held,
                       Q("SELECT 1 FROM revocations WHERE vouch_id = ?1 AND issuer = ?2", {revocation.vouch_id, revocation.issuer}));
  if (!held.empty()) return PutOutcome::kUnchanged;
  std::string document = json::Serialize(revocation.document);
  AIP_ASSIGN_OR_RETURN(std::int64_t seq, AppendLog("revocation", revocation.vouch_id, document, now));
  AIP_RETURN_IF_ERROR(
      Q("INSERT INTO revocations(vouch_id, issuer, seq) VALUES (?1, ?2, ?3)", {revocation.vouch_id, revocation.issuer, seq}).status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return PutOutcome::kInserted;
}

Result<std::vector<StoredVouchDoc>> RegistryStore::VouchesWhere(std::string_view where, const std::vector<sql::SqlValue>& params) {
  std::lock_guard lock(mu_);
  // `where` is one of the fixed conditions chosen by the callers below, never input.
  std::string sql =
      "SELECT v.id, v.issuer, v.subject, v.scope, d.document, r.vouch_id FROM vouches v "
      "JOIN records d ON d.seq = v.seq "
      "LEFT JOIN revocations r ON r.vouch_id = v.id AND r.issuer = v.issuer WHERE " +
      std::string(where) + " ORDER BY v.seq LIMIT ?2";
  AIP_ASSIGN_OR_RETURN(auto rows, Q(sql, params));
  std::vector<StoredVouchDoc> out;
  for (const auto& row : rows) {
    out.push_back({Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), Text(row[4]), row[5].has_value()});
  }
  return out;
}

Result<std::vector<StoredVouchDoc>> RegistryStore::VouchesBy(std::string_view issuer, int limit) {
  return VouchesWhere("v.issuer = ?1", {std::string(issuer), std::int64_t{limit}});
}

Result<std::vector<StoredVouchDoc>> RegistryStore::VouchesFor(std::string_view subject, int limit) {
  return VouchesWhere("v.subject = ?1", {std::string(subject), std::int64_t{limit}});
}

Result<std::vector<StoredVouchDoc>> RegistryStore::VouchesBetween(std::string_view issuer, std::string_view subject) {
  return VouchesWhere("v.issuer = ?1 AND v.subject = ?3", {std::string(issuer), std::int64_t{100}, std::string(subject)});
}

Result<std::int64_t> RegistryStore::ActiveVouchesFor(std::string_view subject) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT COUNT(*) FROM vouches v WHERE v.subject = ?1 AND NOT EXISTS "
                                    "(SELECT 1 FROM revocations r WHERE r.vouch_id = v.id AND r.issuer = v.issuer)",
                                    {std::string(subject)}));
  return rows.empty() ? 0 : sql::IntOf(rows[0][0]);
}

Result<std::vector<std::string>> RegistryStore::RevocationsBy(std::string_view issuer, int limit) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT d.document FROM revocations r JOIN records d ON d.seq = r.seq "
                                    "WHERE r.issuer = ?1 ORDER BY r.seq LIMIT ?2",
                                    {std::string(issuer), std::int64_t{limit}}));
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(Text(row[0]));
  return out;
}

Result<std::vector<VouchEdge>> RegistryStore::VouchEdgesAfter(std::int64_t after_seq, int limit) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT seq, id, issuer, subject, scope, weight_ppm, valid_from, valid_until FROM vouches "
                                    "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                                    {after_seq, std::int64_t{limit}}));
  std::vector<VouchEdge> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    VouchEdge e;
    e.seq = sql::IntOf(row[0]);
    e.edge.vouch_id = Text(row[1]);
    e.edge.issuer = Text(row[2]);
    e.edge.subject = Text(row[3]);
    e.edge.scope = Text(row[4]);
    e.edge.weight = static_cast<double>(sql::IntOf(row[5])) / 1e6;
    e.edge.valid_from = FromSeconds(sql::IntOf(row[6]));
    if (row[7]) e.edge.valid_until = FromSeconds(sql::IntOf(row[7]));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<RevokedEdge>> RegistryStore::RevocationsAfter(std::int64_t after_seq, int limit) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(
      auto rows, Q("SELECT seq, issuer, vouch_id FROM revocations WHERE seq > ?1 ORDER BY seq LIMIT ?2", {after_seq, std::int64_t{limit}}));
  std::vector<RevokedEdge> out;
  for (auto& row : rows) out.push_back({sql::IntOf(row[0]), Text(row[1]), Text(row[2])});
  return out;
}

Result<std::vector<LogEntry>> RegistryStore::Log(std::int64_t after_seq, int limit) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT seq, kind, key, document, received FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                                    {after_seq, std::int64_t{limit}}));
  std::vector<LogEntry> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    out.push_back({sql::IntOf(row[0]), Text(row[1]), Text(row[2]), Text(row[3]), FromSeconds(sql::IntOf(row[4]))});
  }
  return out;
}

Result<RegistryCounts> RegistryStore::Counts() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT (SELECT COUNT(*) FROM agents), (SELECT COUNT(*) FROM vouches), "
                                    "(SELECT COUNT(*) FROM revocations), (SELECT COALESCE(MAX(seq), 0) FROM records)"));
  RegistryCounts c;
  if (!rows.empty()) {
    c.agents = sql::IntOf(rows[0][0]);
    c.vouches = sql::IntOf(rows[0][1]);
    c.revocations = sql::IntOf(rows[0][2]);
    c.last_seq = sql::IntOf(rows[0][3]);
  }
  return c;
}

Result<std::int64_t> RegistryStore::LastSeq() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT COALESCE(MAX(seq), 0) FROM records"));
  return rows.empty() ? 0 : sql::IntOf(rows[0][0]);
}

Result<std::string> RegistryStore::PutMessage(std::string_view recipient, std::string_view sender, std::string_view sealed, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  std::string to(recipient);
  // Who sent a message is not stored: only a tag, keyed with this process's secret, that lets
  // the store count one sender's messages, and whether the recipient vouches for the sender.
  std::string tag = to + "|" + std::string(sender);
  crypto::Sha256Digest mac = sender_tag_key_.Mac(ByteSpan(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
  tag = HexEncode(ByteSpan(mac.data(), 16));
  auto count = [&](std::string_view sql, const std::vector<sql::SqlValue>& params) -> Result<std::int64_t> {
    AIP_ASSIGN_OR_RETURN(auto rows, Q(sql, params));
    return rows.empty() ? 0 : sql::IntOf(rows[0][0]);
  };
  AIP_ASSIGN_OR_RETURN(std::int64_t all, count("SELECT COUNT(*) FROM messages WHERE recipient = ?1", {to}));
  if (all >= static_cast<std::int64_t>(kMaxInboxMessages)) return ResourceExhaustedError("the recipient's inbox is full");
  AIP_ASSIGN_OR_RETURN(std::int64_t mine, count("SELECT COUNT(*) FROM messages WHERE recipient = ?1 AND sender_tag = ?2", {to, tag}));
  if (mine >= static_cast<std::int64_t>(kMaxMessagesPerSender)) {
    return ResourceExhaustedError("you have " + std::to_string(mine) + " messages waiting in this inbox (the most one sender may)");
  }
  // A contact is a sender the recipient vouches for (a vouch in force, not revoked).
  AIP_ASSIGN_OR_RETURN(std::int64_t vouched,
                       count("SELECT COUNT(*) FROM vouches v WHERE v.issuer = ?1 AND v.subject = ?2 AND v.valid_from <= ?3 "
                             "AND (v.valid_until IS NULL OR v.valid_until > ?3) "
                             "AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.vouch_id = v.id AND r.issuer = v.issuer)",
                             {to, std::string(sender), Seconds(now)}));
  if (vouched == 0) {
    AIP_ASSIGN_OR_RETURN(std::int64_t strangers, count("SELECT COUNT(*) FROM messages WHERE recipient = ?1 AND contact = 0", {to}));
    if (strangers >= static_cast<std::int64_t>(kMaxStrangerMessages)) {
      return ResourceExhaustedError("the recipient's inbox is full for senders it has not vouched for");
    }
  }
  std::string id = "msg_" + HexEncode(crypto::RandomBytes(16));
  AIP_RETURN_IF_ERROR(Q("INSERT INTO messages(id, recipient, sender_tag, contact, sealed, received) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        {id, to, tag, std::int64_t{vouched > 0 ? 1 : 0}, std::string(sealed), Seconds(now)})
                          .status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::vector<InboxMessage>> RegistryStore::Inbox(std::string_view recipient, int limit) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT id, sealed, received FROM messages WHERE recipient = ?1 ORDER BY received, id LIMIT ?2",
                                    {std::string(recipient), std::int64_t{limit}}));
  std::vector<InboxMessage> out;
  for (auto& row : rows) out.push_back({Text(row[0]), Text(row[1]), FromSeconds(sql::IntOf(row[2]))});
  return out;
}

Result<bool> RegistryStore::DeleteMessage(std::string_view recipient, std::string_view id) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows,
                       Q("DELETE FROM messages WHERE recipient = ?1 AND id = ?2 RETURNING id", {std::string(recipient), std::string(id)}));
  return !rows.empty();
}

Result<PutOutcome> RegistryStore::PutBotDirectory(const StoredBotDirectory& d, TimePoint now) {
  std::lock_guard lock(mu_);
  sql::Transaction tx(*db_);
  AIP_RETURN_IF_ERROR(tx.Begin());
  AIP_ASSIGN_OR_RETURN(auto by_name, Q("SELECT did FROM bot_directories WHERE name = ?1", {d.name}));
  if (!by_name.empty() && Text(by_name[0][0]) != d.did) return AlreadyExistsError("the name \"" + d.name + "\" is another agent's");
  AIP_ASSIGN_OR_RETURN(auto by_did, Q("SELECT name FROM bot_directories WHERE did = ?1", {d.did}));
  if (!by_did.empty() && Text(by_did[0][0]) != d.name) {
    return AlreadyExistsError("this agent's directory is hosted as \"" + Text(by_did[0][0]) + "\"; delete it first to move it");
  }
  AIP_RETURN_IF_ERROR(Q("INSERT INTO bot_directories(name, did, body, headers, expires, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                        "ON CONFLICT (name) DO UPDATE SET body = excluded.body, headers = excluded.headers, "
                        "expires = excluded.expires, updated = excluded.updated",
                        {d.name, d.did, d.body, d.headers, Seconds(d.expires), Seconds(now)})
                          .status());
  AIP_RETURN_IF_ERROR(tx.Commit());
  return by_name.empty() ? PutOutcome::kInserted : PutOutcome::kUpdated;
}

Result<std::optional<StoredBotDirectory>> RegistryStore::GetBotDirectory(std::string_view name) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT name, did, body, headers, expires FROM bot_directories WHERE name = ?1", {std::string(name)}));
  if (rows.empty()) return std::optional<StoredBotDirectory>();
  return std::optional<StoredBotDirectory>(
      StoredBotDirectory{Text(rows[0][0]), Text(rows[0][1]), Text(rows[0][2]), Text(rows[0][3]), FromSeconds(sql::IntOf(rows[0][4]))});
}

Result<bool> RegistryStore::DeleteBotDirectory(std::string_view name, std::string_view did) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows,
                       Q("DELETE FROM bot_directories WHERE name = ?1 AND did = ?2 RETURNING name", {std::string(name), std::string(did)}));
  return !rows.empty();
}

Result<bool> RegistryStore::AddPeer(std::string_view url) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("INSERT INTO peers(url) VALUES (?1) ON CONFLICT DO NOTHING RETURNING url", {std::string(url)}));
  return !rows.empty();
}

Result<bool> RegistryStore::RemovePeer(std::string_view url) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("DELETE FROM peers WHERE url = ?1 RETURNING url", {std::string(url)}));
  return !rows.empty();
}

Result<std::vector<Peer>> RegistryStore::Peers() {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("SELECT url, cursor, accepted, rejected, conflicts, last_sync, last_error FROM peers ORDER BY url"));
  std::vector<Peer> out;
  for (auto& row : rows) {
    Peer p;
    p.url = Text(row[0]);
    p.cursor = sql::IntOf(row[1]);
    p.accepted = sql::IntOf(row[2]);
    p.rejected = sql::IntOf(row[3]);
    p.conflicts = sql::IntOf(row[4]);
    if (row[5]) p.last_sync = FromSeconds(sql::IntOf(row[5]));
    p.last_error = Text(row[6]);
    out.push_back(std::move(p));
  }
  return out;
}

Status RegistryStore::RecordPull(const Peer& p, TimePoint now) {
  std::lock_guard lock(mu_);
  return Q("UPDATE peers SET cursor = ?2, accepted = ?3, rejected = ?4, conflicts = ?5, last_sync = ?6, last_error = ?7 WHERE url = ?1",
           {p.url, p.cursor, p.accepted, p.rejected, p.conflicts, Seconds(now), p.last_error})
      .status();
}

Result<bool> RegistryStore::RememberNonce(std::string_view key, TimePoint expires) {
  std::lock_guard lock(mu_);
  AIP_ASSIGN_OR_RETURN(auto rows, Q("INSERT INTO nonces(key, expires) VALUES (?1, ?2) ON CONFLICT DO NOTHING RETURNING key",
                                    {std::string(key), Seconds(expires)}));
  return !rows.empty();
}

Status RegistryStore::ForgetNonces(TimePoint now) {
  std::lock_guard lock(mu_);
  return Q("DELETE FROM nonces WHERE expires < ?1", {Seconds(now)}).status();
}

std::string DefaultRegistryDatabase() { return "sqlite:" + (identity::KeyStore::DefaultHome() / "registry.db").string(); }

}  // namespace aip::registry
