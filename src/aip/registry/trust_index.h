// TrustIndex: the registry's vouches as a trust graph in memory, caught up from the store by
// sequence number (so several registry instances on one PostgreSQL database each stay current),
// answering trust queries from anchors the *caller* chooses. Each path in an answer comes with
// the signed vouches along it, so the client checks the answer instead of trusting the registry.
// Like the verifier's own engine it scores identities: vouches for a rotated key count for the
// current key (identity_links.h).
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "aip/registry/registry_store.h"
#include "aip/trust/trust_engine.h"

namespace aip::registry {

struct ExplainedPath {
  trust::TrustPath path;
  std::vector<std::string> vouches;  // One signed vouch document (JSON text) per hop.
};

struct TrustAnswer {
  trust::TrustResult result;
  std::vector<ExplainedPath> paths;
};

class TrustIndex {
 public:
  explicit TrustIndex(std::shared_ptr<RegistryStore> store, trust::TrustParams params = {}) : store_(std::move(store)), engine_(params) {}
  // CatchUp reads what was added since the last call.
  Status CatchUp();
  // Fresh catches up when this instance wrote since (MarkWritten) or the last catch-up is older
  // than `max_age`: a query sees its own instance's writes at once, other instances' within
  // max_age, without two extra queries per request.
  Status Fresh(std::chrono::milliseconds max_age);
  void MarkWritten() { written_ = true; }
  Result<TrustAnswer> Query(const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope, TimePoint now);
  std::size_t edge_count() const;
  std::size_t node_count() const;
  // Edges returns up to `limit` active edges around `center` (all when empty), for the graph view.
  std::vector<trust::EdgeInput> Neighbourhood(std::string_view center, std::size_t limit) const;

 private:
  std::shared_ptr<RegistryStore> store_;
  trust::TrustEngine engine_;
  std::mutex catch_up_mu_;
  mutable std::shared_mutex mu_;
  // ReadInto adds to `graph` what the store holds after the two cursors, each vouch mapped to its
  // identities' current keys, and moves the cursors; `mu` (when set) is held while a batch is
  // applied.
  Status ReadInto(trust::TrustGraph& graph, const trust::IdentityLinks& links, std::int64_t& vouch_seq, std::int64_t& revocation_seq,
                  std::shared_mutex* mu);

  trust::TrustGraph graph_;
  trust::IdentityLinks links_;
  std::int64_t vouch_seq_ = 0, revocation_seq_ = 0, identity_records_ = 0;
  std::atomic<bool> written_{true};
  std::atomic<std::int64_t> last_catch_up_ms_{0};
};

}  // namespace aip::registry
