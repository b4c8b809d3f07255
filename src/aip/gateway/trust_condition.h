// Trust in policy: a rule may require the caller's trust score, as the gateway computes it from
// its own anchors and trust store (docs/trust.md):
//   require = { trust = { min = 0.5, scope = "tools:tasks.*" } }
// The score is the proven agent DID's (a signed call) — for a Web Bot Auth caller the better of
// its key's did:key and its operator's did:web; a caller without a DID never satisfies it.
// The rules are parsed before the store is opened, so conditions ask a TrustScores that the
// gateway binds to its TrustView at start; unbound, every trust condition fails (closed).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "aip/policy/policy.h"
#include "aip/trust/trust_view.h"

namespace aip::gateway {

class TrustScores {
 public:
  void Bind(std::shared_ptr<trust::TrustView> view) { std::atomic_store(&view_, std::move(view)); }
  std::shared_ptr<trust::TrustView> view() const { return std::atomic_load(&view_); }
  std::optional<trust::TrustResult> Score(std::string_view did, std::string_view scope) const;
  // used: some rule requires trust (then the configuration must say where the store is).
  bool used() const { return used_; }
  void set_used() { used_ = true; }

 private:
  std::shared_ptr<trust::TrustView> view_;
  bool used_ = false;
};

// TrustConditionFactory reads {min, scope} and makes conditions that ask `scores`.
policy::ConditionFactory TrustConditionFactory(std::shared_ptr<TrustScores> scores);

}  // namespace aip::gateway
