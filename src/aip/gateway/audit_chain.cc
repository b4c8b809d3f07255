#include "aip/gateway/audit_chain.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <cerrno>
#include <string.h>
#include <cstring>

#include "aip/base/encoding.h"
#include "aip/base/json.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/resolver.h"

namespace aip::gateway {
namespace {

constexpr std::string_view kMacPrefix = ",\"mac\":\"";
constexpr std::size_t kMacChars = 43;                                       // Base64url of 32 bytes, unpadded.
constexpr std::size_t kMacSuffixBytes = kMacPrefix.size() + kMacChars + 2;  // …"}
constexpr std::string_view kLineKeyInfo = "aip-audit-line-mac-v1";

ByteSpan AsBytes(std::string_view s) { return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

// FirstSeq reads the seq of a file's first line, to put a series in chain order.
Result<std::uint64_t> FirstSeq(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError(path + ": " + std::strerror(errno));
  std::string head;
  char chunk[64 * 1024];
  std::size_t nl = std::string::npos;
  while (nl == std::string::npos && head.size() <= kMaxAuditLineBytes) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    head.append(chunk, static_cast<std::size_t>(n));
    nl = head.find('\n');
  }
  ::close(fd);
  if (head.empty()) return InvalidArgumentError(path + ": empty");
  auto obj = json::ParseJsonObject(std::string_view(head).substr(0, nl == std::string::npos ? head.size() : nl));
  const json::Value* s = obj ? obj->if_contains("seq") : nullptr;
  if (s == nullptr || !s->is_int64() || s->get_int64() < 0) return InvalidArgumentError(path + ": line 1: not an audit record");
  return static_cast<std::uint64_t>(s->get_int64());
}

}  // namespace

std::string AuditLineHash(std::string_view line) { return HexEncode(crypto::Sha256(AsBytes(line))); }

std::unique_ptr<crypto::HmacSha256Key> AuditLineKey(const identity::Identity& signer) {
  crypto::SecretBytes k = signer.DeriveSecret(kLineKeyInfo);
  return std::make_unique<crypto::HmacSha256Key>(k.RevealSecret());
}

std::string WithLineMac(const crypto::HmacSha256Key& key, std::string_view line) {
  crypto::Sha256Digest mac = key.Mac(AsBytes(line));
  std::string out(line.substr(0, line.size() - 1));
  out.append(kMacPrefix).append(Base64UrlEncode(ByteSpan(mac.data(), mac.size()))).append("\"}");
  return out;
}

bool HasValidLineMac(const crypto::HmacSha256Key& key, std::string_view line) {
  if (line.size() < kMacSuffixBytes + 2 || !line.ends_with("\"}")) return false;
  std::size_t at = line.size() - kMacSuffixBytes;
  if (line.substr(at, kMacPrefix.size()) != kMacPrefix) return false;
  auto mac = Base64UrlDecode(line.substr(at + kMacPrefix.size(), kMacChars));
  if (!mac) return false;
  std::string unsigned_line(line.substr(0, at));
  unsigned_line += '}';
  return key.Verify(AsBytes(unsigned_line), ByteSpan(mac->data(), mac->size())).ok();
}

Result<std::string> VerifyCheckpoint(const json::Object& checkpoint) {
  if (!checkpoint.contains("proof")) return InvalidArgumentError("checkpoint is not signed");
  static const identity::DidKeyResolver kDidKey;  // Checkpoints are signed by the gateway's did:key.
  identity::ProofExpectations expect;
  expect.domain = std::string(kCheckpointDomain);
  expect.check_time = false;
  auto verified = identity::VerifyProof(checkpoint, kDidKey, expect);
  if (!verified) return UnauthenticatedError("checkpoint signature does not verify: " + verified.error().message);
  return verified->method.controller;
}

AuditChainVerifier::AuditChainVerifier(AuditVerifyOptions options) : options_(std::move(options)) {}
AuditChainVerifier::~AuditChainVerifier() = default;

namespace {

// ChainFields reads seq and prev from a line in the exact form the gateway writes,
// {"seq":N,"time":"…","prev":"<64 hex>", without parsing the rest. The chain needs only these:
// every byte of the line is covered by the next line's prev (or, for the last lines, reported as
// not yet sealed). Lines in any other form, and checkpoints, are parsed in full.
struct ChainFields {
  std::uint64_t seq;
  std::string_view prev;
};
std::optional<ChainFields> FastChainFields(std::string_view line) {
  constexpr std::string_view kSeq = "{\"seq\":", kTime = ",\"time\":\"", kPrev = "\",\"prev\":\"";
  constexpr std::string_view kCheckpoint = "\"type\":\"checkpoint\"";
  if (!line.starts_with(kSeq) || ::memmem(line.data(), line.size(), kCheckpoint.data(), kCheckpoint.size()) != nullptr) {
    return std::nullopt;
  }
  std::size_t i = kSeq.size();
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(line.data() + i, line.data() + line.size(), seq);
  if (ec != std::errc() || end == line.data() + i || (line[i] == '0' && end - (line.data() + i) > 1)) return std::nullopt;
  i = static_cast<std::size_t>(end - line.data());
  if (line.substr(i, kTime.size()) != kTime) return std::nullopt;
  i += kTime.size();
  std::size_t close = line.find_first_of("\"\\", i);
  if (close == std::string_view::npos || line[close] != '"') return std::nullopt;
  if (line.substr(close, kPrev.size()) != kPrev) return std::nullopt;
  i = close + kPrev.size();
  if (line.size() < i + 66) return std::nullopt;
  std::string_view prev = line.substr(i, 64);
  for (char c : prev) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  char after = line[i + 65];
  if (line[i + 64] != '"' || (after != ',' && after != '}')) return std::nullopt;
  return ChainFields{seq, prev};
}

}  // namespace

Status AuditChainVerifier::Line(std::string_view line) {
  ++file_line_;
  auto fail = [&](const std::string& why) { return InvalidArgumentError("line " + std::to_string(file_line_) + ": " + why); };
  report_.bytes += line.size() + 1;
  bool first = report_.lines == 0;
  // The link: this line names the hash of the one before and the next seq.
  auto link = [&](std::string_view prev, std::uint64_t seq) -> Status {
    if (prev != prev_) {
      return fail(first
                      ? "does not start a chain (its prev is not the genesis hash: earlier lines are missing)"
                      : "does not follow line " + std::to_string(file_line_ - 1) + " (a line was edited, deleted, inserted or reordered)");
    }
    return seq == next_seq_ ? OkStatus() : fail("sequence number out of order");
  };
  std::optional<std::string> signer;  // Set for a checkpoint.
  if (auto fast = FastChainFields(line); fast && !(first && options_.partial)) {
    AIP_RETURN_IF_ERROR(link(fast->prev, fast->seq));
  } else {
    auto obj = json::ParseJsonObject(line);
    if (!obj) return fail("not a JSON object: " + obj.error().message);
    const json::Value* seq = obj->if_contains("seq");
    const json::Value* p = obj->if_contains("prev");
    if (seq == nullptr || !seq->is_int64() || seq->get_int64() < 0) return fail("no sequence number");
    if (p == nullptr || !p->is_string() || p->get_string().size() != 64) return fail("no prev hash");
    if (first && options_.partial) {
      // A partial chain starts wherever it starts; from then on every link is checked.
      prev_ = std::string(p->get_string());
      next_seq_ = static_cast<std::uint64_t>(seq->get_int64());
      report_.first_seq = next_seq_;
    }
    AIP_RETURN_IF_ERROR(link(p->get_string(), static_cast<std::uint64_t>(seq->get_int64())));
    const json::Value* type = obj->if_contains("type");
    if (type != nullptr && *type == json::Value("checkpoint")) {
      auto did = VerifyCheckpoint(*obj);
      if (!did) return fail(did.error().message);
      signer = std::move(*did);
    }
  }
  if (signer) {
    if (!options_.expected_signer.empty() && *signer != options_.expected_signer) {
      return fail("checkpoint signed by " + *signer + ", not " + options_.expected_signer);
    }
    if (!report_.signer.empty() && *signer != report_.signer) return fail("checkpoint signed by a different key (" + *signer + ")");
    report_.signer = *signer;
    ++report_.checkpoints;
    report_.unsealed_tail = 0;
    report_.unauthenticated_tail = 0;
  } else {
    ++report_.unsealed_tail;
    if (options_.line_key != nullptr && !HasValidLineMac(*options_.line_key, line)) ++report_.unauthenticated_tail;
  }
  return Linked(line);
}

Status AuditChainVerifier::Linked(std::string_view line) {
  prev_ = AuditLineHash(line);
  if (options_.find_seq == next_seq_) report_.found_hash = prev_;
  report_.next_seq = ++next_seq_;
  ++report_.lines;
  return OkStatus();
}

Result<AuditReport> VerifyAuditLog(std::string_view text, const std::string& expected_signer) {
  AuditVerifyOptions options;
  options.expected_signer = expected_signer;
  AuditChainVerifier verifier(options);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      return InvalidArgumentError("line " + std::to_string(verifier.report().lines + 1) + ": torn: no newline at the end of the file");
    }
    AIP_RETURN_IF_ERROR(verifier.Line(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return verifier.report();
}

Status ForEachAuditLine(const std::string& path, const std::function<Status(std::string_view)>& line,
                        const std::function<void(std::string_view)>& torn) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFoundError(path + ": " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::string buf;
  std::size_t start = 0;  // Where the current (incomplete) line begins in buf.
  Status st = OkStatus();
  constexpr std::size_t kChunk = 1 << 20;
  for (;;) {
    if (start > 0) {
      buf.erase(0, start);
      start = 0;
    }
    std::size_t have = buf.size();
    buf.resize(have + kChunk);
    ssize_t n = ::read(fd, buf.data() + have, kChunk);
    if (n < 0 && errno == EINTR) {
      buf.resize(have);
      continue;
    }
    if (n < 0) {
      st = UnavailableError(path + ": " + std::strerror(errno));
      break;
    }
    buf.resize(have + static_cast<std::size_t>(n));
    if (n == 0) {
      if (!buf.empty()) {
        if (torn) {
          torn(buf);
        } else {
          st = InvalidArgumentError("torn: the last line has no newline");
        }
      }
      break;
    }
    std::size_t nl;
    std::size_t scan = have;
    while ((nl = buf.find('\n', scan)) != std::string::npos) {
      st = line(std::string_view(buf).substr(start, nl - start));
      if (!st.ok()) break;
      start = nl + 1;
      scan = start;
    }
    if (!st.ok()) break;
    if (buf.size() - start > kMaxAuditLineBytes) {
      st = InvalidArgumentError("a line longer than " + std::to_string(kMaxAuditLineBytes) + " bytes");
      break;
    }
  }
  ::close(fd);
  return st;
}

Result<AuditReport> VerifyAuditFiles(std::vector<std::string> paths, const AuditVerifyOptions& options) {
  if (paths.empty()) return InvalidArgumentError("no audit log given");
  std::vector<std::pair<std::uint64_t, std::string>> ordered;
  for (auto& p : paths) {
    AIP_ASSIGN_OR_RETURN(std::uint64_t seq, FirstSeq(p));
    ordered.emplace_back(seq, std::move(p));
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  AuditChainVerifier verifier(options);
  std::vector<std::string> files;
  for (const auto& [seq, path] : ordered) {
    verifier.BeginFile();  // Errors name the line within its own file, as an operator opens it.
    Status st = ForEachAuditLine(path, [&](std::string_view line) { return verifier.Line(line); });
    if (!st.ok()) return InvalidArgumentError(path + ": " + st.message());
    files.push_back(path);
  }
  AuditReport report = verifier.report();
  report.files = std::move(files);
  return report;
}

}  // namespace aip::gateway
