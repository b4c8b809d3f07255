// The audit log's line format and its verification, shared by the writer (which checks what is
// already on disk before it continues it) and `aip audit verify`.
//
// Every line is a JSON object that begins {"seq":N,"time":…,"prev":HEX, where prev is the SHA-256
// of the line before it (64 zeros for the first line of a chain). Records the gateway writes end
// with "mac": HMAC-SHA256 under a key derived from the gateway's own key, over the line without that
// member: it lets the gateway tell the lines it wrote itself from lines appended by someone else
// before a signed checkpoint covers them. Checkpoints carry a Data Integrity proof instead.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/crypto/sha.h"
#include "aip/identity/identity.h"

namespace aip::gateway {

inline constexpr std::string_view kCheckpointDomain = "aip-audit-checkpoint";
// The prev of the first line of a chain.
inline const std::string kAuditGenesis(64, '0');
// No line the gateway writes comes near this; a longer one is refused rather than buffered.
inline constexpr std::size_t kMaxAuditLineBytes = 4 * 1024 * 1024;

// AuditLineHash is the hex SHA-256 the next line's prev must name.
std::string AuditLineHash(std::string_view line);

// AuditLineKey derives the line MAC key from the gateway's identity (domain-separated, so it is
// no other key's equal).
std::unique_ptr<crypto::HmacSha256Key> AuditLineKey(const identity::Identity& signer);
// WithLineMac returns `line` (the text of a JSON object with at least one member, as every
// audit line is) with its "mac" member appended.
std::string WithLineMac(const crypto::HmacSha256Key& key, std::string_view line);
// HasValidLineMac tells whether `line` ends with a "mac" member that `key` produced.
bool HasValidLineMac(const crypto::HmacSha256Key& key, std::string_view line);

struct AuditReport {
  std::uint64_t lines = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t first_seq = 0;             // seq of the first line checked (0 for a whole chain).
  std::string signer;                      // DID that signed the checkpoints.
  std::uint64_t unsealed_tail = 0;         // Lines after the last checkpoint (not yet covered by a signature).
  std::uint64_t unauthenticated_tail = 0;  // Of those, lines without a valid MAC (with a line key).
  std::uint64_t bytes = 0;
  std::vector<std::string> files;         // In chain order, for a series.
  std::optional<std::string> found_hash;  // Hash of the line at AuditVerifyOptions::find_seq, if seen.
  std::uint64_t next_seq = 0;             // One past the last line's seq.
};

struct AuditVerifyOptions {
  std::string expected_signer;  // Checkpoints must be signed by this DID (empty: any one key).
  // The first line may continue a chain whose earlier lines are not given (a rotated series
  // whose oldest files were deleted, or the current file of a rotated log).
  bool partial = false;
  // With a key, lines after the last checkpoint are checked for this gateway's MAC.
  const crypto::HmacSha256Key* line_key = nullptr;
  // With a seq (a witnessed checkpoint's), the report gives the hash of the line at that seq.
  std::optional<std::uint64_t> find_seq;
};

// VerifyCheckpoint checks a checkpoint's signature (did:key, domain kCheckpointDomain) and returns
// its signer's DID. The chain verifier and the witness both use it.
Result<std::string> VerifyCheckpoint(const json::Object& checkpoint);

// AuditChainVerifier checks a chain fed one line at a time, so logs of any size verify in
// constant memory. Errors name the line by its position in the input.
class AuditChainVerifier {
 public:
  explicit AuditChainVerifier(AuditVerifyOptions options);
  ~AuditChainVerifier();
  Status Line(std::string_view line);   // Without its newline.
  void BeginFile() { file_line_ = 0; }  // Line numbers in errors count from the next file's start.
  const AuditReport& report() const { return report_; }
  const std::string& head() const { return prev_; }  // Hash of the last line checked.
  std::uint64_t next_seq() const { return next_seq_; }

 private:
  Status Linked(std::string_view line);  // The line checked: it becomes the chain's head.
  AuditVerifyOptions options_;
  AuditReport report_;
  std::string prev_ = kAuditGenesis;
  std::uint64_t next_seq_ = 0;
  std::uint64_t file_line_ = 0;
};

// VerifyAuditLog checks the chain and every checkpoint signature of a whole log held in memory.
Result<AuditReport> VerifyAuditLog(std::string_view text, const std::string& expected_signer = "");

// VerifyAuditFiles checks a log, or a rotated series of logs as one chain, reading each file in
// pieces. The files may be given in any order: they are put in chain order by their first seq.
// Errors name the file and line.
Result<AuditReport> VerifyAuditFiles(std::vector<std::string> paths, const AuditVerifyOptions& options);

// ForEachAuditLine reads `path` in pieces and calls `line` for each complete line (without its
// newline). A last line without a newline is passed to `torn` (if given) instead; without
// `torn` it is an error.
Status ForEachAuditLine(const std::string& path, const std::function<Status(std::string_view)>& line,
                        const std::function<void(std::string_view)>& torn = nullptr);

}  // namespace aip::gateway
