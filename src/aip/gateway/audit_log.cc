#include "aip/gateway/audit_log.h"

#include "aip/base/ascii.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aip/base/clock.h"
#include "aip/base/encoding.h"
#include "aip/crypto/sha.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/resolver.h"

namespace aip::gateway {
namespace {

const std::string kGenesis(64, '0');

std::string LineHash(std::string_view line) {
  return HexEncode(crypto::Sha256(ByteSpan(reinterpret_cast<const std::uint8_t*>(line.data()), line.size())));
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError(std::string("audit log write: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
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

}  // namespace

AuditLog::AuditLog(AuditConfig config, std::shared_ptr<const identity::Identity> signer, int fd)
    : config_(std::move(config)), signer_(std::move(signer)), fd_(fd), last_checkpoint_(std::chrono::steady_clock::now()) {
  for (auto& k : config_.redact_keys) k = AsciiLower(k);
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditConfig& config, std::shared_ptr<const identity::Identity> signer) {
  int fd = ::open(config.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("audit log " + config.path + ": " + std::strerror(errno));
  std::unique_ptr<AuditLog> log(new AuditLog(config, std::move(signer), fd));
  // Find the last complete line to continue the chain.
  struct stat st {};
  ::fstat(fd, &st);
  std::string tail;
  off_t size = st.st_size;
  off_t start = size > 1 << 20 ? size - (1 << 20) : 0;
  tail.resize(static_cast<std::size_t>(size - start));
  if (!tail.empty() && ::pread(fd, tail.data(), tail.size(), start) != static_cast<ssize_t>(tail.size())) {
    return UnavailableError("audit log " + config.path + ": cannot read its end");
  }
  std::size_t torn = 0;
  if (!tail.empty() && tail.back() != '\n') {
    std::size_t nl = tail.rfind('\n');
    torn = nl == std::string::npos ? tail.size() : tail.size() - nl - 1;
    if (::ftruncate(fd, size - static_cast<off_t>(torn)) != 0) return UnavailableError("audit log: cannot cut a torn line");
    tail.resize(tail.size() - torn);
  }
  if (!tail.empty()) {
    std::size_t begin = tail.rfind('\n', tail.size() - 2);
    std::string_view last = std::string_view(tail).substr(begin == std::string::npos ? 0 : begin + 1);
    last.remove_suffix(1);
    auto obj = json::ParseJsonObject(last);
    const json::Value* seq = obj ? obj->if_contains("seq") : nullptr;
    if (seq == nullptr || !seq->is_int64()) {
      return FailedPreconditionError("audit log " + config.path + ": its last line is not an audit record; refusing to append");
    }
    log->next_seq_ = static_cast<std::uint64_t>(seq->get_int64()) + 1;
    log->prev_hash_ = LineHash(last);
  } else {
    log->prev_hash_ = kGenesis;
  }
  if (torn > 0) {
    AIP_RETURN_IF_ERROR(log->Append(json::Object{{"type", "recovered"}, {"dropped_bytes", static_cast<std::int64_t>(torn)}}));
  }
  return log;
}

AuditLog::~AuditLog() {
  bool wrote = false;
  {
    std::lock_guard lock(mu_);
    wrote = since_checkpoint_ > 0 && CheckpointLocked().ok();
  }
  if (wrote && config_.fsync != AuditConfig::Fsync::kNever) (void)Sync();
  if (fd_ >= 0) ::close(fd_);
}

Status AuditLog::Sync() {
  if (::fdatasync(fd_) != 0) return UnavailableError(std::string("audit log fsync: ") + std::strerror(errno));
  return OkStatus();
}

Status AuditLog::WriteLocked(std::string_view body) {
  // The line is {"seq":…,"time":…,"prev":…, <the record's members>}: the record was serialized
  // outside the lock; only the chain fields are added here.
  std::string text = "{\"seq\":" + std::to_string(next_seq_) + ",\"time\":\"" + FormatTime(DefaultClock().Now()) +
                     "\",\"prev\":\"" + prev_hash_ + "\"";
  if (body.size() > 2) {
    text.append(",").append(body.substr(1));
  } else {
    text += "}";
  }
  std::string hash = LineHash(text);
  text += '\n';
  AIP_RETURN_IF_ERROR(WriteAll(fd_, text));
  prev_hash_ = std::move(hash);
  ++next_seq_;
  return OkStatus();
}

Status AuditLog::Append(json::Object record) {
  std::string body = json::Serialize(json::Value(std::move(record)));
  bool checkpointed = false;
  {
    std::lock_guard lock(mu_);
    AIP_RETURN_IF_ERROR(WriteLocked(body));
    if (++since_checkpoint_ >= config_.checkpoint_every) {
      AIP_RETURN_IF_ERROR(CheckpointLocked());
      checkpointed = true;
    }
  }
  // The caller goes on only once its line (and a checkpoint it wrote) is as durable as configured.
  bool sync = config_.fsync == AuditConfig::Fsync::kEveryLine ||
              (checkpointed && config_.fsync == AuditConfig::Fsync::kCheckpoint);
  return sync ? Sync() : OkStatus();
}

Status AuditLog::CheckpointLocked() {
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
    AIP_ASSIGN_OR_RETURN(cp, identity::AddProof(std::move(cp), signer_->key(), o));
  }
  std::string text = json::Serialize(json::Value(std::move(cp)));
  AIP_RETURN_IF_ERROR(WriteAll(fd_, text + "\n"));
  prev_hash_ = LineHash(text);
  ++next_seq_;
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
    return json::Object{{"omitted", "too large to record"},
                        {"bytes", static_cast<std::int64_t>(text.size())},
                        {"sha256", LineHash(text)}};
  }
  return v;
}

Result<AuditReport> VerifyAuditLog(std::string_view text, const std::string& expected_signer) {
  AuditReport report;
  std::string prev = kGenesis;
  identity::DidKeyResolver resolver;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::uint64_t n = report.lines + 1;
    auto fail = [&](const std::string& why) { return InvalidArgumentError("line " + std::to_string(n) + ": " + why); };
    if (nl == std::string_view::npos) return fail("torn: no newline at the end of the file");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto obj = json::ParseJsonObject(line);
    if (!obj) return fail("not a JSON object: " + obj.error().message);
    const json::Value* seq = obj->if_contains("seq");
    const json::Value* p = obj->if_contains("prev");
    if (p == nullptr || !p->is_string() || p->get_string() != prev) {
      return fail("does not follow line " + std::to_string(n - 1) + " (a line was edited, deleted, inserted or reordered)");
    }
    if (seq == nullptr || !seq->is_int64() || static_cast<std::uint64_t>(seq->get_int64()) != report.lines) {
      return fail("sequence number out of order");
    }
    const json::Value* type = obj->if_contains("type");
    if (type != nullptr && type->is_string() && type->get_string() == "checkpoint") {
      if (!obj->contains("proof")) return fail("checkpoint is not signed");
      identity::ProofExpectations expect;
      expect.domain = std::string(kCheckpointDomain);
      expect.check_time = false;
      auto verified = identity::VerifyProof(*obj, resolver, expect);
      if (!verified) return fail("checkpoint signature does not verify: " + verified.error().message);
      const std::string& did = verified->method.controller;
      if (!expected_signer.empty() && did != expected_signer) return fail("checkpoint signed by " + did + ", not " + expected_signer);
      if (!report.signer.empty() && did != report.signer) return fail("checkpoint signed by a different key (" + did + ")");
      report.signer = did;
      ++report.checkpoints;
      report.unsealed_tail = 0;
    } else {
      ++report.unsealed_tail;
    }
    prev = LineHash(line);
    ++report.lines;
  }
  return report;
}

}  // namespace aip::gateway
