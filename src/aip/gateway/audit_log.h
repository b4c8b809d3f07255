// The audit log: one JSON line per decision and per outcome, each chained to the SHA-256 of the
// line before it, with periodic checkpoints signed by the gateway's key (Data Integrity,
// eddsa-jcs-2022). VerifyAuditLog detects any edited, deleted, inserted or reordered line; a
// cut-off tail is detected up to the last checkpoint (docs/gateway.md, "Audit log").
//
// Durability: each line is written with write(2) before the call it records goes on (decisions)
// or before the caller gets the answer (outcomes), so a crash of the gateway process loses
// nothing written. What an operating-system crash or power loss can lose depends on `fsync`:
// every_line loses nothing acknowledged; checkpoint loses at most the lines since the last
// checkpoint; never leaves it to the kernel (typically up to 30 s).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/gateway/audit_sink.h"
#include "aip/gateway/config.h"
#include "aip/identity/identity.h"

namespace aip::gateway {

inline constexpr std::string_view kCheckpointDomain = "aip-audit-checkpoint";
// Arguments larger than this (after redaction, serialized) are recorded by size and SHA-256.
inline constexpr std::size_t kMaxRecordedArgumentBytes = 16 * 1024;

class AuditLog final : public AuditSink {
 public:
  // Open appends to `config.path`, continuing the chain of what is there. A torn last line (a
  // crash mid-write) is cut off and the cut is recorded in a "recovered" line.
  static Result<std::unique_ptr<AuditLog>> Open(const AuditConfig& config,
                                                std::shared_ptr<const identity::Identity> signer);
  ~AuditLog() override;  // Writes a final checkpoint.

  // Append adds seq, time and prev to `record` and writes it as one line.
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

 private:
  AuditLog(AuditConfig config, std::shared_ptr<const identity::Identity> signer, int fd);
  // The writes hold mu_ (they extend the chain); Sync does not, so one call's fdatasync neither
  // waits for nor holds up the others' lines (concurrent syncs share the file system's commits).
  Status WriteLocked(std::string_view body);
  Status CheckpointLocked();
  Status Sync();

  AuditConfig config_;
  std::shared_ptr<const identity::Identity> signer_;
  int fd_ = -1;
  std::mutex mu_;
  std::uint64_t next_seq_ = 0;
  std::string prev_hash_;  // Hex SHA-256 of the last line written.
  int since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
};

struct AuditReport {
  std::uint64_t lines = 0;
  std::uint64_t checkpoints = 0;
  std::string signer;             // DID that signed the checkpoints.
  std::uint64_t unsealed_tail = 0;  // Lines after the last checkpoint (not yet covered by a signature).
};

// VerifyAuditLog checks the chain and every checkpoint signature of the log text. With
// `expected_signer`, checkpoints must be signed by that DID. Errors name the line.
Result<AuditReport> VerifyAuditLog(std::string_view text, const std::string& expected_signer = "");

}  // namespace aip::gateway
