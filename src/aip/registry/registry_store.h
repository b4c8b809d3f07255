// RegistryStore: the registry's records in SQL (SQLite or PostgreSQL, see sql.h). Only verified
// documents go in; every accepted write is appended to one ordered log (`records`), which is what
// federation peers pull by cursor and what the event feeds show. The log is the only copy of each
// document: the agents, vouches and revocations tables index it (by its sequence number) with the
// fields queries need (rotations and deactivations too), and documents are served as the text stored, never parsed again. A write is
// acknowledged only after its transaction committed (SQLite: WAL with full sync; PostgreSQL: synchronous commit), so a crash never loses an
// acknowledged write.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/registry/agent_record.h"
#include "aip/identity/deactivation.h"
#include "aip/identity/key_rotation.h"
#include "aip/sql/sql.h"
#include "aip/trust/identity_links.h"
#include "aip/trust/trust_graph.h"
#include "aip/trust/vouch.h"

namespace aip::registry {

enum class PutOutcome { kInserted, kUpdated, kUnchanged };

struct LogEntry {
  std::int64_t seq = 0;
  std::string kind;  // "agent", "vouch", "revocation", "rotation", "deactivation".
  std::string key;   // The DID, or the vouch id.
  std::string document;
  TimePoint received;
};

// StoredAgent is an agent's current registration: its indexed fields and the signed document as
// stored (JSON text, verified on the way in).
struct StoredAgent {
  std::string did, alias, name, platform, description, url;
  TimePoint updated;
  std::string document;
};

struct StoredVouchDoc {
  std::string id, issuer, subject, scope;
  std::string document;
  bool revoked = false;
};

// What the trust index reads: edges and revocations after a sequence number.
struct VouchEdge {
  std::int64_t seq = 0;
  trust::EdgeInput edge;
};
struct RevokedEdge {
  std::int64_t seq = 0;
  std::string issuer, vouch_id;
};

// IdentityHistory: the rotation chain through a DID, first key first, as stored (signed JSON).
struct IdentityHistory {
  std::string current;                 // The chain's last key.
  std::vector<std::string> rotations;  // Oldest first.
  std::string deactivation;            // "" while the identity is active.
};

struct InboxMessage {
  std::string id;
  std::string sealed;  // base64.
  TimePoint received;
};

struct Peer {
  std::string url;
  std::int64_t cursor = 0;
  std::int64_t accepted = 0, rejected = 0, conflicts = 0;
  std::optional<TimePoint> last_sync;
  std::string last_error;
};

// StoredBotDirectory is a Web Bot Auth key directory the registry hosts for one of its agents
// (hosted_directories.h): the body and signature headers exactly as uploaded, verified on the way in.
struct StoredBotDirectory {
  std::string name;     // The DNS label under the registry's bot domain.
  std::string did;      // The agent (did:key) whose key it lists and who signed it.
  std::string body;     // The JWKS text.
  std::string headers;  // JSON object: content-digest, signature-input, signature.
  TimePoint expires;    // Its signature's expiry: not served after.
};

struct RegistryCounts {
  std::int64_t agents = 0, vouches = 0, revocations = 0, last_seq = 0;
};

// An inbox holds at most kMaxInboxMessages; senders its owner has not vouched for share at most
// half of it, and any one sender has at most kMaxMessagesPerSender waiting there — so a flood
// from freshly made DIDs cannot keep the owner's contacts out (docs/registry.md, "Messages").
inline constexpr std::size_t kMaxInboxMessages = 1000;
inline constexpr std::size_t kMaxStrangerMessages = kMaxInboxMessages / 2;
inline constexpr std::size_t kMaxMessagesPerSender = 20;

class RegistryStore {
 public:
  static constexpr int kMaxChain = 64;  // Rotation chains longer than this are not followed.
  // Open creates the schema when missing.
  static Result<std::unique_ptr<RegistryStore>> Open(std::unique_ptr<sql::SqlConnection> db);

  // PutAgent stores a verified registration. kAlreadyExists: same `updated`, other contents
  // (a conflict); kFailedPrecondition: older than the one held (stale).
  Result<PutOutcome> PutAgent(const AgentRecord& record, TimePoint now);
  // GetAgent finds an agent by its did:key or did:aip.
  Result<std::optional<StoredAgent>> GetAgent(std::string_view did);
  // Directory lists agents ordered by DID after `after` (a cursor), those whose name, platform or
  // DID contains `query` (case-insensitive) when it is not empty.
  Result<std::vector<StoredAgent>> Directory(std::string_view query, std::string_view after, int limit);

  // PutVouch stores a verified vouch; kFailedPrecondition when its issuer revoked it.
  Result<PutOutcome> PutVouch(const trust::Vouch& vouch, TimePoint now);
  // PutVouches stores many verified vouches in one transaction (seeding, bulk import); revoked
  // and already-held ones are skipped. Returns how many were added.
  Result<std::size_t> PutVouches(const std::vector<trust::Vouch>& vouches, TimePoint now);
  // PutRotation stores a verified rotation: kAlreadyExists when the old key was already rotated
  // to another (the first one stays) or the new key belongs to a chain already;
  // kFailedPrecondition when the identity was deactivated. The old key's later writes are refused.
  Result<PutOutcome> PutRotation(const identity::KeyRotation& rotation, TimePoint now);
  // PutDeactivation stores a verified deactivation; kFailedPrecondition when the key was rotated
  // (only the current key ends an identity). Every later write for the identity is refused.
  Result<PutOutcome> PutDeactivation(const identity::Deactivation& deactivation, TimePoint now);
  Result<IdentityHistory> History(std::string_view did);
  // Links reads every rotation and deactivation held (for the trust index); IdentityRecords
  // counts them, and moves exactly when one is added.
  Result<trust::IdentityLinks> Links();
  Result<std::int64_t> IdentityRecords();
  // CheckActive fails (kFailedPrecondition, naming `what`) when `did` was rotated or deactivated.
  Status CheckActive(std::string_view did, std::string_view what);
  // PutRevocation stores a verified revocation (kept even before its vouch arrives).
  Result<PutOutcome> PutRevocation(const trust::Revocation& revocation, TimePoint now);
  Result<std::vector<StoredVouchDoc>> VouchesBy(std::string_view issuer, int limit);
  Result<std::vector<StoredVouchDoc>> VouchesFor(std::string_view subject, int limit);
  Result<std::vector<StoredVouchDoc>> VouchesBetween(std::string_view issuer, std::string_view subject);
  // ActiveVouchesFor counts the unrevoked vouches an agent received (badges).
  Result<std::int64_t> ActiveVouchesFor(std::string_view subject);
  Result<std::vector<std::string>> RevocationsBy(std::string_view issuer, int limit);

  Result<std::vector<VouchEdge>> VouchEdgesAfter(std::int64_t after_seq, int limit);
  Result<std::vector<RevokedEdge>> RevocationsAfter(std::int64_t after_seq, int limit);

  // Log returns accepted records after `after_seq`, oldest first.
  Result<std::vector<LogEntry>> Log(std::int64_t after_seq, int limit);
  Result<RegistryCounts> Counts();
  Result<std::int64_t> LastSeq();

  // Messages: sealed boxes held for their recipient.
  // PutMessage queues a sealed message from `sender` (the signer of the request); kResourceExhausted
  // past a quota, naming which.
  Result<std::string> PutMessage(std::string_view recipient, std::string_view sender, std::string_view sealed, TimePoint now);
  Result<std::vector<InboxMessage>> Inbox(std::string_view recipient, int limit);
  Result<bool> DeleteMessage(std::string_view recipient, std::string_view id);

  // Hosted key directories: one name per agent, one agent per name (kAlreadyExists otherwise);
  // an agent replaces its own. Not federated: a directory is served where its name points.
  Result<PutOutcome> PutBotDirectory(const StoredBotDirectory& directory, TimePoint now);
  Result<std::optional<StoredBotDirectory>> GetBotDirectory(std::string_view name);
  Result<bool> DeleteBotDirectory(std::string_view name, std::string_view did);

  // Federation peers and their pull state.
  Result<bool> AddPeer(std::string_view url);
  Result<bool> RemovePeer(std::string_view url);
  Result<std::vector<Peer>> Peers();
  Status RecordPull(const Peer& after, TimePoint now);

  // Nonces of signed requests, shared by every instance on the database: RememberNonce is true
  // the first time `key` is seen; ForgetNonces drops the expired ones.
  Result<bool> RememberNonce(std::string_view key, TimePoint expires);
  Status ForgetNonces(TimePoint now);

  sql::Dialect dialect() const { return db_->dialect(); }

 private:
  explicit RegistryStore(std::unique_ptr<sql::SqlConnection> db) : db_(std::move(db)), sender_tag_key_(crypto::RandomBytes(32)) {}
  Result<std::vector<sql::SqlRow>> Q(std::string_view sql, const std::vector<sql::SqlValue>& params = {});
  Result<std::int64_t> AppendLog(std::string_view kind, std::string_view key, const std::string& document, TimePoint now);
  Result<bool> InsertVouch(const trust::Vouch& vouch, TimePoint now);  // In a transaction, lock held.
  Result<std::vector<StoredVouchDoc>> VouchesWhere(std::string_view where, const std::vector<sql::SqlValue>& params);
  Status RefuseEndedLocked(std::string_view did, std::string_view what);  // Lock held.
  Result<std::vector<StoredAgent>> AgentsWhere(std::string_view where, const std::vector<sql::SqlValue>& params);

  std::mutex mu_;  // One connection: statements and transactions run one at a time.
  std::unique_ptr<sql::SqlConnection> db_;
  crypto::HmacSha256Key sender_tag_key_;  // Random per process: tags count senders without naming them.
};

// DefaultRegistryDatabase is "sqlite:$AIP_HOME/registry.db".
std::string DefaultRegistryDatabase();

}  // namespace aip::registry
