// Witnessed checkpoints: a second party that countersigns a gateway's audit checkpoints, so that
// cutting the log back past a witnessed checkpoint is detected (docs/gateway.md, "Witness").
//
// The gateway POSTs each checkpoint line, as written, to the witness. The witness checks the
// checkpoint's signature (its signer is the gateway's did:key), keeps the latest one per signer —
// refusing one that goes back, or that differs from what it saw at the same seq (a rewritten
// log) — and answers with a receipt it signs:
//   {"type":"AipAuditReceipt","signer":DID,"seq":N,"line_sha256":HEX,"witnessed":TIME,"proof":…}
// (Data Integrity eddsa-jcs-2022, domain "aip-audit-receipt"). `GET ?signer=DID` returns the
// latest receipt. A verifier holding the log asks for it: the log must contain that exact line at
// that seq.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip::gateway {

inline constexpr std::string_view kReceiptDomain = "aip-audit-receipt";

struct AuditReceipt {
  std::string signer;  // The gateway whose checkpoint was witnessed.
  std::uint64_t seq = 0;
  std::string line_sha256;
  std::string witness;  // The DID that signed the receipt.
  json::Object document;
};

// VerifyAuditReceipt checks a receipt's signature (and, when given, that `witness_did` made it).
Result<AuditReceipt> VerifyAuditReceipt(const json::Object& receipt, const std::string& witness_did = "");

// AuditWitness keeps the latest witnessed checkpoint per gateway in a state file (JSON, written
// atomically, mode 0600) and signs receipts with its own identity. It serves only the gateways it
// is told of: anyone can make a key and sign "checkpoints", and the state must not grow for them.
class AuditWitness {
 public:
  static Result<std::unique_ptr<AuditWitness>> Open(std::string state_path, std::shared_ptr<const identity::Identity> key,
                                                    std::set<std::string> gateways);
  // Witness checks a checkpoint line and returns the receipt. kInvalidArgument: not a signed
  // checkpoint; kUnauthenticated: its signature does not verify; kPermissionDenied: signed by a
  // gateway this witness does not serve; kAlreadyExists: it goes back or contradicts what was
  // witnessed (nothing changes).
  Result<json::Object> Witness(std::string_view checkpoint_line);
  // Latest returns the latest receipt for `signer`; kNotFound when none.
  Result<json::Object> Latest(const std::string& signer) const;

 private:
  AuditWitness(std::string path, std::shared_ptr<const identity::Identity> key, std::set<std::string> gateways)
      : path_(std::move(path)), key_(std::move(key)), gateways_(std::move(gateways)) {}
  Status Save() const;

  std::string path_;
  std::shared_ptr<const identity::Identity> key_;
  std::set<std::string> gateways_;
  mutable std::mutex mu_;
  std::map<std::string, json::Object> latest_;  // Signer → its latest receipt.
};

}  // namespace aip::gateway
