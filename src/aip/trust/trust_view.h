// TrustView: a trust store's vouches as a graph, kept current — Refresh() reads only what was
// added since the last one (new vouches become edges, new revocations remove them) and re-reads
// the anchors — plus the engine to score with. Vouches are counted per identity: one for a key
// that was rotated counts for its current key (identity_links.h). The gateway refreshes it at
// most once a second, so a vouch or a revocation takes effect without a restart. Safe to use
// from many threads.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "aip/trust/trust_engine.h"
#include "aip/trust/trust_store.h"

namespace aip::trust {

class TrustView {
 public:
  TrustView(std::shared_ptr<TrustStore> store, TrustParams params = {}, std::vector<std::string> extra_anchors = {});

  Status Refresh();
  // Score scores `subject` from the store's anchors and the extra ones. A retired, deactivated or
  // forked identity scores 0 with a note saying which.
  TrustResult Score(std::string_view subject, std::string_view scope, TimePoint now) const;
  std::vector<std::string> anchors() const;
  std::size_t edge_count() const;

 private:
  std::shared_ptr<TrustStore> store_;
  TrustEngine engine_;
  std::vector<std::string> extra_anchors_;
  mutable std::shared_mutex mu_;
  TrustGraph graph_;
  std::vector<std::string> anchors_;
  IdentityLinks links_;
  std::int64_t vouch_seq_ = 0, revocation_seq_ = 0, identity_records_ = 0;
};

// JsonOf renders a result for audit lines and `aip trust score --json`.
json::Object JsonOf(const TrustResult& result);

}  // namespace aip::trust
