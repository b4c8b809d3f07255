// The audit log: one JSON line per decision and per outcome, each chained to the SHA-256 of the
// line before it, with periodic checkpoints signed by the gateway's key (Data Integrity,
// eddsa-jcs-2022). VerifyAuditLog detects any edited, deleted, inserted or reordered line; a
// cut-off tail is detected up to the last checkpoint (docs/gateway.md, "Audit log").
//
// Durability: each line is written with write(2) before the call it records goes on (decisions)
// or before the caller gets the answer (outcomes), so a crash of the gateway process loses
// nothing written. What an operating-system crash or power loss can lose depends on `fsync`:
// every_line loses nothing acknowledged; checkpoint loses at most the lines since the last
// checkpoint; never leaves it to the kernel (typically up to 30 s). The syncs are group commits
// (group_sync.h): a caller waits for one fdatasync that began after its line was written, shared
// with whoever else waits then, run off the caller's thread (an event loop goes on meanwhile).
// On an event loop the writes are grouped too: the lines the loop's calls reach in one turn are
// written with one write(2), each caller still going on only once its own line is in the file;
// a write that fails takes its lines back (those calls fail), one that fails part-way stops the
// log until a restart.
//
// Trust in what is already there: Open verifies the whole current file before it continues it —
// the chain, the checkpoints' signer (this gateway's key) and the MAC of every line after the
// last checkpoint — and refuses a file that does not verify (or, with on_broken_chain =
// "new_file", sets it aside and starts a new chain whose first line says why). An exclusive lock
// keeps a second process from forking the chain. Rotation by size or age seals the file with a
// checkpoint, renames it PATH.<first seq, 12 digits> and continues the chain in a new PATH.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/gateway/audit_chain.h"
#include "aip/gateway/audit_sink.h"
#include "aip/gateway/config.h"
#include "aip/gateway/group_sync.h"
#include "aip/identity/identity.h"

namespace aip::gateway {

// Arguments larger than this (after redaction, serialized) are recorded by size and SHA-256.
inline constexpr std::size_t kMaxRecordedArgumentBytes = 16 * 1024;

class AuditLog final : public AuditSink {
 public:
  // Open appends to `config.path`, continuing the chain of what is there once it verifies. A torn
  // last line (a crash mid-write) is cut off; the cut, and lines a crash left after the last
  // checkpoint, are recorded in a "recovered" line.
  static Result<std::unique_ptr<AuditLog>> Open(const AuditConfig& config, std::shared_ptr<const identity::Identity> signer);
  ~AuditLog() override;  // Writes a final checkpoint.

  // Append adds seq, time and prev to `record` and writes it as one line. On an event loop it may
  // suspend the caller's fiber (a group write or sync) while the loop serves others: hold no lock
  // across it, or another fiber of the same loop taking that lock would block the loop's thread.
  Status Append(json::Object record) override;
  // Checkpoint writes a signed checkpoint over the chain so far.
  Status Checkpoint();
  // MaybeCheckpoint checkpoints when lines are waiting and the interval has passed.
  void MaybeCheckpoint();
  // Redact returns `arguments` with the configured pointers and keys replaced by "[redacted]",
  // or, past kMaxRecordedArgumentBytes, their size and SHA-256 instead.
  json::Value Redact(const json::Object& arguments) const;
  std::optional<json::Value> RecordedArguments(const json::Object& arguments) const override {
    return config_.record_arguments ? std::optional<json::Value>(Redact(arguments)) : std::nullopt;
  }
  const AuditConfig& config() const { return config_; }
  // OnCheckpoint is given each checkpoint line as it is written (a witness publisher); it must
  // not block. Set before the first Append.
  void OnCheckpoint(std::function<void(std::string)> sink) { on_checkpoint_ = std::move(sink); }
  // Group commits run so far (fewer than the lines they made durable when calls overlap).
  std::uint64_t group_syncs() const { return group_sync_ ? group_sync_->syncs() : 0; }
  // write(2) calls so far: on event loops fewer than the lines (calls ready together share one).
  std::uint64_t writes() const {
    std::lock_guard lock(mu_);
    return writes_;
  }

 private:
  AuditLog(AuditConfig config, std::shared_ptr<const identity::Identity> signer);
  // Resume checks the current file and takes up its chain (or starts a new one, per config).
  Status Resume();
  Status StartAfresh(const std::string& why);
  // The writes hold mu_ (they extend the chain); Sync does not, so one call's fdatasync neither
  // waits for nor holds up the others' lines (concurrent syncs share the file system's commits).
  // An appender waiting for its line to reach the file.
  struct LineWaiter {
    std::optional<Status> written;
    net::Notification done;
  };
  // The chain's state, to take back a batch none of whose lines reached the file.
  struct ChainState {
    std::string prev_hash;
    std::uint64_t next_seq = 0;
    std::uint64_t bytes = 0;
    int since_checkpoint = 0;
  };
  // QueueLocked puts a finished line (its hash the chain's new head) after the queued ones;
  // FormatLocked adds the chain fields and MAC to a record and queues it; FlushLocked writes
  // what is queued with one write(2) and tells the waiters; WriteLocked is both, for a line of
  // our own.
  void QueueLocked(std::string line, std::string hash, std::shared_ptr<LineWaiter> waiter);
  void FormatLocked(std::string_view body, std::shared_ptr<LineWaiter> waiter);
  Status FlushLocked();
  Status WriteLocked(std::string_view body);
  Status CheckpointLocked();
  bool RotationDueLocked() const;
  Status RotateLocked();
  Status Sync();
  // SyncCurrentFile is the group commit's sync (on its thread): the file being written now.
  Status SyncCurrentFile();

  AuditConfig config_;
  std::shared_ptr<const identity::Identity> signer_;
  std::unique_ptr<crypto::HmacSha256Key> line_key_;  // Null without a signer.
  int fd_ = -1;
  int lock_fd_ = -1;
  mutable std::mutex mu_;
  std::string pending_;  // Lines formatted and not yet written, in chain order.
  std::vector<std::shared_ptr<LineWaiter>> pending_waiters_;
  ChainState batch_start_;        // The chain before pending_'s first line.
  bool flush_scheduled_ = false;  // An appender on a loop lets others join before it writes.
  Status broken_;                 // A write that failed part-way: nothing more is written.
  std::uint64_t writes_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t first_seq_ = 0;  // Of the current file: names it when it is rotated.
  std::uint64_t bytes_ = 0;      // Size of the current file.
  std::string prev_hash_;        // Hex SHA-256 of the last line written.
  int since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::chrono::steady_clock::time_point file_opened_;
  std::chrono::steady_clock::time_point rotation_retry_;  // After a failed rotation.
  std::function<void(std::string)> on_checkpoint_;
  std::unique_ptr<GroupSync> group_sync_;  // Null with fsync = never. Declared last: stopped first.
};

// RotatedAuditPath names the file a rotation moves the current file to.
std::string RotatedAuditPath(const std::string& path, std::uint64_t first_seq);

}  // namespace aip::gateway
