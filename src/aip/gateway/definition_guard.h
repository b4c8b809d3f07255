// DefinitionGuard: tool integrity at the gateway (docs/tool-integrity.md). Every tools and
// prompts listing fetched from a pinned upstream is screened against the approved definitions
// (pins::PinStore) before anyone sees it: what changed since approval, what is new (a rename
// included) and what is listed twice is taken out of the catalog — so it is neither listed nor
// callable — until an operator approves it (`aip pins approve`). Each difference is audited once,
// with where the definitions differ, and counted. A pin file that cannot be read fails closed:
// the upstream's tools and prompts are all withheld.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "aip/gateway/audit_sink.h"
#include "aip/gateway/catalog.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/gateway/trust_condition.h"
#include "aip/mcpsig/definition_proof.h"
#include "aip/pins/pin_store.h"

namespace aip::gateway {

// ListEvidence collects what the listing pages' proofs said while a listing is fetched: for each
// kind ("tools", "prompts"), the DID that signed every page, or why a page failed.
class ListEvidence {
 public:
  void Page(const std::string& kind, const json::Object& page);
  const std::string* Signer(const std::string& kind) const;
  const std::string* Failure(const std::string& kind) const;

 private:
  std::map<std::string, std::string> signer_, failure_;
};

class DefinitionGuard {
 public:
  // `trust` answers require_trust (null: any upstream that requires trust is withheld).
  DefinitionGuard(std::shared_ptr<pins::PinStore> store, std::shared_ptr<AuditSink> audit, std::shared_ptr<Metrics> metrics,
                  std::shared_ptr<const TrustScores> trust = nullptr);

  // Screen removes from `catalog` what `upstream` requires and its listing fails — a signature
  // (with require_signed_definitions: "unsigned", "bad_signature", "wrong_signer",
  // "list_signature") or a pin — naming why in the catalog's withheld maps.
  void Screen(const UpstreamConfig& upstream, Catalog& catalog, const ListEvidence& evidence);

  const pins::PinStore& store() const { return *store_; }
  // NeedsEvidence: whether a listing of `upstream` must collect its pages' proofs.
  static bool NeedsEvidence(const UpstreamConfig& upstream) { return upstream.require_signed_definitions; }

 private:
  std::shared_ptr<pins::PinStore> store_;
  std::shared_ptr<AuditSink> audit_;
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<const TrustScores> trust_;
  mcpsig::CachedDefinitionVerifier verifier_;  // Unchanged definitions are not verified at every listing.
  std::mutex mu_;
  std::map<std::string, bool> trusted_;  // Upstream → whether it passed require_trust last time (to log a change). // Upstreams screen from
                                         // their own threads.
  std::set<std::string> refusals_seen_;  // Signature refusals already audited (each once).
  // CheckSignatures withholds what fails `upstream`'s signature requirements; fills `signers`.
  void CheckSignatures(const UpstreamConfig& upstream, Catalog& catalog, const ListEvidence& evidence,
                       std::map<std::string, std::string>& signers);
  // CheckTrust withholds everything `upstream` lists when its signer scores below require_trust.
  void CheckTrust(const UpstreamConfig& upstream, Catalog& catalog, const std::string& signer);
  void Withhold(const UpstreamConfig& upstream, Catalog& catalog, std::string_view kind, std::string_view name, const std::string& reason,
                const std::string& detail);
};

}  // namespace aip::gateway
