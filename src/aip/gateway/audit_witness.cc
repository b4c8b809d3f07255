#include "aip/gateway/audit_witness.h"

#include <optional>

#include "aip/base/clock.h"
#include "aip/base/file_io.h"
#include "aip/gateway/audit_chain.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/resolver.h"

namespace aip::gateway {
namespace {

std::uint64_t SeqOf(const json::Object& o) {
  const json::Value* s = o.if_contains("seq");
  return s != nullptr && s->is_int64() && s->get_int64() >= 0 ? static_cast<std::uint64_t>(s->get_int64()) : 0;
}

}  // namespace

Result<AuditReceipt> VerifyAuditReceipt(const json::Object& receipt, const std::string& witness_did) {
  identity::DidKeyResolver resolver;
  identity::ProofExpectations expect;
  expect.domain = std::string(kReceiptDomain);
  expect.check_time = false;
  const json::Value* type = receipt.if_contains("type");
  if (type == nullptr || *type != json::Value("AipAuditReceipt")) return InvalidArgumentError("not an audit receipt");
  auto verified = identity::VerifyProof(receipt, resolver, expect);
  if (!verified) return UnauthenticatedError("the receipt's signature does not verify: " + verified.error().message);
  AuditReceipt r;
  r.witness = verified->method.controller;
  if (!witness_did.empty() && r.witness != witness_did)
    return UnauthenticatedError("the receipt is signed by " + r.witness + ", not " + witness_did);
  const json::Value* signer = receipt.if_contains("signer");
  const json::Value* hash = receipt.if_contains("line_sha256");
  const json::Value* seq = receipt.if_contains("seq");
  if (signer == nullptr || !signer->is_string() || hash == nullptr || !hash->is_string() || seq == nullptr || !seq->is_int64() ||
      seq->get_int64() < 0) {
    return InvalidArgumentError("the receipt lacks signer, seq or line_sha256");
  }
  r.signer = std::string(signer->get_string());
  r.seq = static_cast<std::uint64_t>(seq->get_int64());
  r.line_sha256 = std::string(hash->get_string());
  r.document = receipt;
  return r;
}

Result<std::unique_ptr<AuditWitness>> AuditWitness::Open(std::string state_path, std::shared_ptr<const identity::Identity> key,
                                                         std::set<std::string> gateways) {
  if (gateways.empty()) return InvalidArgumentError("a witness needs the gateways (DIDs) it serves");
  std::unique_ptr<AuditWitness> w(new AuditWitness(std::move(state_path), std::move(key), std::move(gateways)));
  auto text = ReadFile(w->path_);
  if (!text) {
    if (text.error().code != ErrorCode::kNotFound) return text.error();
    return w;
  }
  AIP_ASSIGN_OR_RETURN(json::Object state, json::ParseJsonObject(*text));
  for (const auto& [signer, receipt] : state) {
    if (!receipt.is_object()) return InvalidArgumentError(w->path_ + ": not a witness state file");
    // What was signed before is checked again: a state file edited by hand is not trusted.
    AIP_ASSIGN_OR_RETURN(AuditReceipt r, VerifyAuditReceipt(receipt.get_object(), w->key_->did()));
    if (r.signer != signer) return InvalidArgumentError(w->path_ + ": a receipt filed under another signer");
    w->latest_[std::string(signer)] = receipt.get_object();
  }
  return w;
}

Status AuditWitness::Save() const {
  json::Object state;
  for (const auto& [signer, receipt] : latest_) state[signer] = receipt;
  return WriteFileAtomic(path_, json::Serialize(json::Value(std::move(state))), 0600);
}

Result<json::Object> AuditWitness::Witness(std::string_view checkpoint_line) {
  AIP_ASSIGN_OR_RETURN(json::Object cp, json::ParseJsonObject(checkpoint_line, json::ParseLimits{64 * 1024, 16}));
  const json::Value* type = cp.if_contains("type");
  if (type == nullptr || *type != json::Value("checkpoint") || !cp.contains("proof") || !cp.contains("seq")) {
    return InvalidArgumentError("not a signed audit checkpoint");
  }
  AIP_ASSIGN_OR_RETURN(const std::string signer, VerifyCheckpoint(cp));
  if (!gateways_.contains(signer)) return PermissionDeniedError(signer + " is not a gateway this witness serves");
  const std::uint64_t seq = SeqOf(cp);
  const std::string hash = AuditLineHash(checkpoint_line);
  std::lock_guard lock(mu_);
  if (auto it = latest_.find(signer); it != latest_.end()) {
    std::uint64_t seen = SeqOf(it->second);
    const json::Value* seen_hash = it->second.if_contains("line_sha256");
    if (seq == seen && seen_hash != nullptr && *seen_hash == json::Value(hash)) return it->second;  // Sent again.
    if (seq <= seen) {
      return AlreadyExistsError("checkpoint " + std::to_string(seq) + " goes back to or contradicts checkpoint " + std::to_string(seen) +
                                ", already witnessed for " + signer);
    }
  }
  json::Object receipt{{"type", "AipAuditReceipt"},
                       {"signer", signer},
                       {"seq", static_cast<std::int64_t>(seq)},
                       {"line_sha256", hash},
                       {"witnessed", FormatTime(DefaultClock().Now())}};
  identity::ProofOptions o;
  o.verification_method = key_->verification_method();
  o.created = DefaultClock().Now();
  o.domain = std::string(kReceiptDomain);
  AIP_ASSIGN_OR_RETURN(receipt, identity::AddProof(std::move(receipt), *key_, o));
  std::optional<json::Object> before;
  if (auto it = latest_.find(signer); it != latest_.end()) before = it->second;
  latest_[signer] = receipt;
  if (Status saved = Save(); !saved.ok()) {
    // Not on disk, not witnessed: the gateway will send it again.
    if (before) {
      latest_[signer] = std::move(*before);
    } else {
      latest_.erase(signer);
    }
    return saved;
  }
  return receipt;
}

Result<json::Object> AuditWitness::Latest(const std::string& signer) const {
  std::lock_guard lock(mu_);
  auto it = latest_.find(signer);
  if (it == latest_.end()) return NotFoundError("no checkpoint witnessed for " + signer);
  return it->second;
}

}  // namespace aip::gateway
