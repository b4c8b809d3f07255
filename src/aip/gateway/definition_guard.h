// DefinitionGuard: tool integrity at the gateway (docs/tool-integrity.md). Every tools and
// prompts listing fetched from a pinned upstream is screened against the approved definitions
// (pins::PinStore) before anyone sees it: what changed since approval, what is new (a rename
// included) and what is listed twice is taken out of the catalog — so it is neither listed nor
// callable — until an operator approves it (`aip pins approve`). Each difference is audited once,
// with where the definitions differ, and counted. A pin file that cannot be read fails closed:
// the upstream's tools and prompts are all withheld.
#pragma once
#include <memory>

#include "aip/gateway/audit_sink.h"
#include "aip/gateway/catalog.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/pins/pin_store.h"

namespace aip::gateway {

class DefinitionGuard {
 public:
  DefinitionGuard(std::shared_ptr<pins::PinStore> store, std::shared_ptr<AuditSink> audit, std::shared_ptr<Metrics> metrics);

  // Screen removes from `catalog` what `upstream`'s pins withhold (naming why in its withheld
  // maps). Upstreams with pin = "off" pass untouched.
  void Screen(const UpstreamConfig& upstream, Catalog& catalog);

  const pins::PinStore& store() const { return *store_; }

 private:
  std::shared_ptr<pins::PinStore> store_;
  std::shared_ptr<AuditSink> audit_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace aip::gateway
