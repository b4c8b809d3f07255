#include "aip/gateway/audit_log.h"

#include "aip/base/ascii.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <cstring>

#include "aip/base/clock.h"
#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"
#include "aip/identity/data_integrity.h"
#include "aip/gateway/log.h"
#include "aip/net/event_loop.h"

namespace aip::gateway {
namespace {

// WriteAll writes `data`; on failure `written` says how much of it reached the file.
Status WriteAll(int fd, std::string_view data, std::size_t& written) {
  written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(std::string("audit log write: ") + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  return OkStatus();
}

void RedactKeys(json::Value& v, const std::vector<std::string>& keys) {
  if (v.is_object()) {
    for (auto& [k, child] : v.get_object()) {
      std::string lower = AsciiLower(k);
      bool hit = false;
      for (const auto& key : keys) hit = hit || lower == key;
      if (hit) {
        child = "[redacted]";
      } else {
        RedactKeys(child, keys);
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) RedactKeys(e, keys);
  }
}

std::string BaseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// SyncDirectory makes renames in the log's directory durable.
void SyncDirectory(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// An interrupted rotation leaves PATH.next: before its rename it is the only copy of the new
// file's first line (PATH itself already moved away); after, a leftover that never took over.
Status FinishInterruptedRotation(const std::string& path) {
  std::string next = path + ".next";
  std::error_code ec;
  if (!std::filesystem::exists(next, ec)) return OkStatus();
  if (std::filesystem::exists(path, ec)) {
    std::filesystem::remove(next, ec);
  } else if (::rename(next.c_str(), path.c_str()) != 0) {
    return UnavailableError("audit log " + path + ": cannot finish an interrupted rotation: " + std::strerror(errno));
  }
  return OkStatus();
}

// NewestRotated names the newest PATH.<12 digits> beside PATH, if any.
std::optional<std::string> NewestRotated(const std::string& path) {
  std::filesystem::path p(path);
  std::string prefix = p.filename().string() + ".";
  std::optional<std::string> newest;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(p.parent_path().empty() ? "." : p.parent_path(), ec)) {
    std::string name = e.path().filename().string();
    if (name.size() != prefix.size() + 12 || !name.starts_with(prefix)) continue;
    if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
    if (!newest || name > *newest) newest = name;
  }
  return newest;
}

}  // namespace

std::string RotatedAuditPath(const std::string& path, std::uint64_t first_seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%012llu", static_cast<unsigned long long>(first_seq));
  return path + "." + digits;
}

AuditLog::AuditLog(AuditConfig config, std::shared_ptr<const identity::Identity> signer)
    : config_(std::move(config)),
      signer_(std::move(signer)),
      last_checkpoint_(std::chrono::steady_clock::now()),
      file_opened_(last_checkpoint_) {
  for (auto& k : config_.redact_keys) k = AsciiLower(k);
  if (signer_) line_key_ = AuditLineKey(*signer_);
  if (config_.fsync != AuditConfig::Fsync::kNever) group_sync_ = std::make_unique<GroupSync>([this] { return SyncCurrentFile(); });
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditConfig& config, std::shared_ptr<const identity::Identity> signer) {
  std::unique_ptr<AuditLog> log(new AuditLog(config, std::move(signer)));
  // One writer per chain: a second gateway on the same file would fork it.
  std::string lock_path = config.path + ".lock";
  log->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (log->lock_fd_ < 0) return UnavailableError("audit log lock " + lock_path + ": " + std::strerror(errno));
  if (::flock(log->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return FailedPreconditionError("audit log " + config.path + " is in use by another process (" + lock_path + " is locked)");
  }
  AIP_RETURN_IF_ERROR(FinishInterruptedRotation(config.path));
  AIP_RETURN_IF_ERROR(log->Resume());
  return log;
}

Status AuditLog::Resume() {
  const std::string& path = config_.path;
  AuditVerifyOptions options;
  options.partial = true;  // The current file of a rotated log continues the previous file's chain.
  options.line_key = line_key_.get();
  if (signer_) options.expected_signer = signer_->did();
  AuditChainVerifier verifier(options);
  std::size_t torn = 0;
  bool starts_right = true;
  Status checked = ForEachAuditLine(
      path,
      [&](std::string_view line) -> Status {
        if (verifier.report().lines == 0) {
          // Only a rotation starts a file anywhere but at the chain's beginning.
          auto first = json::ParseJsonObject(line);
          const json::Value* prev = first ? first->if_contains("prev") : nullptr;
          const json::Value* type = first ? first->if_contains("type") : nullptr;
          starts_right = (prev != nullptr && *prev == json::Value(kAuditGenesis)) || (type != nullptr && *type == json::Value("rotated"));
        }
        return verifier.Line(line);
      },
      [&](std::string_view rest) { torn = rest.size(); });
  if (checked.code() == ErrorCode::kNotFound) {
    // No current file: a new log — unless rotated files remain, when the lines written since the
    // last rotation were removed with it.
    auto rotated = NewestRotated(path);
    checked = rotated ? InvalidArgumentError("the current file is missing while rotated files remain (newest " + *rotated +
                                             "): what was written since that rotation is gone")
                      : OkStatus();
  }
  const AuditReport& report = verifier.report();
  if (checked.ok() && report.lines > 0 && !starts_right) {
    checked = InvalidArgumentError("line 1: does not start a chain (its prev is not the genesis hash) and is not a rotation");
  }
  if (checked.ok() && report.unauthenticated_tail > 0) {
    checked = InvalidArgumentError(std::to_string(report.unauthenticated_tail) + " of the " + std::to_string(report.unsealed_tail) +
                                   " lines after the last checkpoint were not written by this gateway");
  }
  if (!checked.ok()) {
    std::string why = path + ": " + checked.message();
    if (config_.on_broken_chain == AuditConfig::OnBrokenChain::kRefuse) {
      return FailedPreconditionError("audit log " + why +
                                     "; refusing to continue it (move it aside, or set [audit] on_broken_chain = \"new_file\")");
    }
    return StartAfresh(why);
  }

  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return UnavailableError("audit log " + path + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd_, &st);
  if (torn > 0 && ::ftruncate(fd_, st.st_size - static_cast<off_t>(torn)) != 0) {
    return UnavailableError("audit log: cannot cut a torn line");
  }
  bytes_ = static_cast<std::uint64_t>(st.st_size) - torn;
  prev_hash_ = verifier.head();
  next_seq_ = verifier.next_seq();
  first_seq_ = report.lines > 0 ? report.first_seq : next_seq_;
  if (torn > 0 || report.unsealed_tail > 0) {
    // What a crash left: the cut, and this gateway's own lines that no checkpoint covers yet
    // (the next one will).
    AIP_RETURN_IF_ERROR(Append(json::Object{{"type", "recovered"},
                                            {"dropped_bytes", static_cast<std::int64_t>(torn)},
                                            {"unsealed_lines", static_cast<std::int64_t>(report.unsealed_tail)}}));
  }
  return OkStatus();
}

Status AuditLog::StartAfresh(const std::string& why) {
  std::string aside = config_.path + ".broken-" + FormatTime(DefaultClock().Now());
  std::error_code ec;
  if (!std::filesystem::exists(config_.path, ec)) {
    aside = "(missing)";
  } else if (::rename(config_.path.c_str(), aside.c_str()) != 0) {
    return UnavailableError("audit log " + config_.path + ": cannot set it aside: " + std::strerror(errno));
  }
  SyncDirectory(config_.path);
  fd_ = ::open(config_.path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return UnavailableError("audit log " + config_.path + ": " + std::strerror(errno));
  prev_hash_ = kAuditGenesis;
  LogEvent("error", "audit_chain_refused", json::Object{{"reason", why}, {"set_aside", aside}});
  return Append(json::Object{{"type", "chain_refused"}, {"set_aside", aside == "(missing)" ? aside : BaseName(aside)}, {"reason", why}});
}

AuditLog::~AuditLog() {
  group_sync_.reset();  // Nobody appends any more; its thread must not outlive the file.
  bool wrote = false;
  if (fd_ >= 0) {
    std::lock_guard lock(mu_);
    wrote = since_checkpoint_ > 0 && CheckpointLocked().ok();
  }
  if (wrote && config_.fsync != AuditConfig::Fsync::kNever) (void)Sync();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // Releases the lock.
}

Status AuditLog::Sync() {
  if (::fdatasync(fd_) != 0) return UnavailableError(std::string("audit log fsync: ") + std::strerror(errno));
  return OkStatus();
}

Status AuditLog::SyncCurrentFile() {
  // A duplicate of the descriptor, taken under the lock: rotation may close the file meanwhile
  // (after syncing it itself), and its number must not be reused under this sync.
  int fd;
  {
    std::lock_guard lock(mu_);
    fd = ::dup(fd_);
  }
  if (fd < 0) return UnavailableError(std::string("audit log fsync: ") + std::strerror(errno));
  int r = ::fdatasync(fd);
  int error = errno;
  ::close(fd);
  if (r != 0) return UnavailableError(std::string("audit log fsync: ") + std::strerror(error));
  return OkStatus();
}

void AuditLog::QueueLocked(std::string line, std::string hash, std::shared_ptr<LineWaiter> waiter) {
  if (pending_.empty()) batch_start_ = ChainState{prev_hash_, next_seq_, bytes_, since_checkpoint_};
  prev_hash_ = std::move(hash);
  ++next_seq_;
  line += '\n';
  bytes_ += line.size();
  pending_ += line;
  if (waiter) pending_waiters_.push_back(std::move(waiter));
}

void AuditLog::FormatLocked(std::string_view body, std::shared_ptr<LineWaiter> waiter) {
  // The line is {"seq":…,"time":…,"prev":…, <the record's members>, "mac":…}: the record was
  // serialized outside the lock; only the chain fields are added here.
  std::string text =
      "{\"seq\":" + std::to_string(next_seq_) + ",\"time\":\"" + FormatTime(DefaultClock().Now()) + "\",\"prev\":\"" + prev_hash_ + "\"";
  if (body.size() > 2) {
    text.append(",").append(body.substr(1));
  } else {
    text += "}";
  }
  if (line_key_) text = WithLineMac(*line_key_, text);
  std::string hash = AuditLineHash(text);
  QueueLocked(std::move(text), std::move(hash), std::move(waiter));
}

Status AuditLog::FlushLocked() {
  if (pending_.empty()) return broken_;
  std::size_t written = 0;
  Status st = broken_.ok() ? WriteAll(fd_, pending_, written) : broken_;
  ++writes_;
  if (!st.ok() && written == 0) {
    // Nothing reached the file: the chain goes on from the last line that did; these lines fail.
    prev_hash_ = batch_start_.prev_hash;
    next_seq_ = batch_start_.next_seq;
    bytes_ = batch_start_.bytes;
    since_checkpoint_ = batch_start_.since_checkpoint;
  } else if (!st.ok()) {
    // A part of the batch is in the file: what follows it there no longer matches the chain kept
    // here, so nothing more is written until a restart (which cuts the torn tail and recovers).
    broken_ = UnavailableError(st.message() + " (after a partial write; restart the gateway)");
  }
  pending_.clear();
  for (auto& w : pending_waiters_) {
    w->written = st;
    w->done.Notify();
  }
  pending_waiters_.clear();
  return st;
}

Status AuditLog::WriteLocked(std::string_view body) {
  FormatLocked(body, nullptr);
  return FlushLocked();
}

Status AuditLog::Append(json::Object record) {
  std::string body = json::Serialize(json::Value(std::move(record)));
  bool checkpointed = false;
  {
    std::unique_lock lock(mu_);
    if (!broken_.ok()) return broken_;
    bool checkpoint_due = since_checkpoint_ + 1 >= config_.checkpoint_every;
    // Group write, on an event loop: the first line of a batch lets its loop run what else is
    // ready — other calls reach their lines meanwhile and wait — then writes them all with one
    // write(2) (a write costs a call several microseconds of kernel time). Each caller still
    // goes on only once its own line is in the file. Elsewhere a line is written at once.
    bool group = !checkpoint_due && net::OnEventLoop();
    auto me = group ? std::make_shared<LineWaiter>() : nullptr;
    FormatLocked(body, me);
    ++since_checkpoint_;
    Status written;
    if (!group) {
      written = FlushLocked();
    } else {
      if (flush_scheduled_) {
        lock.unlock();
        me->done.Wait();
        lock.lock();
      } else {
        flush_scheduled_ = true;
        lock.unlock();
        net::YieldToOthers();
        lock.lock();
        flush_scheduled_ = false;
        (void)FlushLocked();  // All that joined, even if another writer took this line already.
      }
      written = *me->written;
    }
    if (checkpoint_due && written.ok()) {
      AIP_RETURN_IF_ERROR(CheckpointLocked());
      checkpointed = true;
    }
    AIP_RETURN_IF_ERROR(written);
    if (RotationDueLocked()) {
      Status rotated = RotateLocked();
      if (!rotated.ok()) {
        // The line is written: the call goes on, in the same file, and rotation is retried later.
        rotation_retry_ = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        LogEvent("error", "audit_rotation_failed", json::Object{{"reason", rotated.message()}});
      }
    }
  }
  // The caller goes on only once its line (and a checkpoint it wrote) is as durable as configured.
  bool sync = config_.fsync == AuditConfig::Fsync::kEveryLine || (checkpointed && config_.fsync == AuditConfig::Fsync::kCheckpoint);
  return sync ? group_sync_->Wait() : OkStatus();
}

bool AuditLog::RotationDueLocked() const {
  auto now = std::chrono::steady_clock::now();
  if (now < rotation_retry_) return false;
  return (config_.rotate_bytes > 0 && bytes_ >= config_.rotate_bytes) ||
         (config_.rotate_interval.count() > 0 && now - file_opened_ >= config_.rotate_interval);
}

Status AuditLog::RotateLocked() {
  // Seal the file, make it durable, then hand the chain to a new file: PATH.next gets the first
  // line before any rename, so every crash point leaves a chain Open can take up.
  AIP_RETURN_IF_ERROR(FlushLocked());
  if (since_checkpoint_ > 0) AIP_RETURN_IF_ERROR(CheckpointLocked());
  AIP_RETURN_IF_ERROR(Sync());
  const std::string& path = config_.path;
  std::string rotated = RotatedAuditPath(path, first_seq_);
  std::string next = path + ".next";
  std::error_code ec;
  if (std::filesystem::exists(rotated, ec)) return AlreadyExistsError("audit log rotation: " + rotated + " exists");
  int next_fd = ::open(next.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (next_fd < 0) return UnavailableError("audit log rotation: " + next + ": " + std::strerror(errno));
  int old_fd = fd_;
  std::string old_prev = prev_hash_;
  std::uint64_t old_seq = next_seq_, old_bytes = bytes_;
  fd_ = next_fd;
  std::uint64_t new_first = next_seq_;
  Status st = WriteLocked(json::Serialize(json::Value(json::Object{{"type", "rotated"}, {"previous", BaseName(rotated)}})));
  if (st.ok()) st = Sync();
  if (st.ok()) ++since_checkpoint_;
  if (st.ok() && ::rename(path.c_str(), rotated.c_str()) != 0)
    st = UnavailableError("audit log rotation: " + std::string(std::strerror(errno)));
  if (!st.ok()) {
    fd_ = old_fd;
    prev_hash_ = std::move(old_prev);
    next_seq_ = old_seq;
    bytes_ = old_bytes;
    ::close(next_fd);
    ::unlink(next.c_str());
    return st;
  }
  // From here the old file is rotated; the new one only has to take its name.
  if (::rename(next.c_str(), path.c_str()) != 0) {
    LogEvent("error", "audit_rotation_incomplete", json::Object{{"reason", std::strerror(errno)}, {"file", next}});
  }
  SyncDirectory(path);
  ::close(old_fd);
  bytes_ -= old_bytes;
  first_seq_ = new_first;
  file_opened_ = std::chrono::steady_clock::now();
  LogEvent("info", "audit_rotated", json::Object{{"file", rotated}});
  return OkStatus();
}

Status AuditLog::CheckpointLocked() {
  AIP_RETURN_IF_ERROR(FlushLocked());  // The lines before it, in order.
  json::Object cp{{"seq", static_cast<std::int64_t>(next_seq_)},
                  {"time", FormatTime(DefaultClock().Now())},
                  {"prev", prev_hash_},
                  {"type", "checkpoint"},
                  {"lines", static_cast<std::int64_t>(next_seq_)}};
  if (signer_) {
    identity::ProofOptions o;
    o.verification_method = signer_->verification_method();
    o.created = DefaultClock().Now();
    o.domain = std::string(kCheckpointDomain);
    AIP_ASSIGN_OR_RETURN(cp, identity::AddProof(std::move(cp), *signer_, o));
  }
  std::string text = json::Serialize(json::Value(std::move(cp)));
  std::string hash = AuditLineHash(text);
  QueueLocked(text, std::move(hash), nullptr);
  AIP_RETURN_IF_ERROR(FlushLocked());
  if (on_checkpoint_) on_checkpoint_(text);
  since_checkpoint_ = 0;
  last_checkpoint_ = std::chrono::steady_clock::now();
  return OkStatus();
}

Status AuditLog::Checkpoint() {
  {
    std::lock_guard lock(mu_);
    AIP_RETURN_IF_ERROR(CheckpointLocked());
  }
  return config_.fsync == AuditConfig::Fsync::kNever ? OkStatus() : Sync();
}

void AuditLog::MaybeCheckpoint() {
  {
    std::lock_guard lock(mu_);
    if (since_checkpoint_ == 0 || std::chrono::steady_clock::now() - last_checkpoint_ < config_.checkpoint_interval) return;
    if (!CheckpointLocked().ok()) return;
    if (RotationDueLocked() && !RotateLocked().ok()) rotation_retry_ = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  }
  if (config_.fsync != AuditConfig::Fsync::kNever) (void)Sync();
}

json::Value AuditLog::Redact(const json::Object& arguments) const {
  json::Value v = arguments;
  for (const auto& p : config_.redact_pointers) {
    boost::system::error_code ec;
    if (json::Value* target = v.find_pointer(p, ec)) *target = "[redacted]";
  }
  if (!config_.redact_keys.empty()) RedactKeys(v, config_.redact_keys);
  // A caller must not be able to fill the disk through the audit log: large arguments are
  // recorded by size and digest (which still proves what was sent), not in full.
  std::string text = json::Serialize(v);
  if (text.size() > kMaxRecordedArgumentBytes) {
    return json::Object{
        {"omitted", "too large to record"}, {"bytes", static_cast<std::int64_t>(text.size())}, {"sha256", AuditLineHash(text)}};
  }
  return v;
}

}  // namespace aip::gateway
