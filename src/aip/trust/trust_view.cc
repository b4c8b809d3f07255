#include "aip/trust/trust_view.h"

#include <mutex>

namespace aip::trust {

TrustView::TrustView(std::shared_ptr<TrustStore> store, TrustParams params, std::vector<std::string> extra_anchors)
    : store_(std::move(store)), engine_(params), extra_anchors_(std::move(extra_anchors)) {}

Status TrustView::Refresh() {
  AIP_ASSIGN_OR_RETURN(std::vector<std::string> anchors, store_->Anchors());
  anchors.insert(anchors.end(), extra_anchors_.begin(), extra_anchors_.end());
  std::int64_t vseq, rseq;
  {
    std::shared_lock lock(mu_);
    vseq = vouch_seq_;
    rseq = revocation_seq_;
  }
  AIP_ASSIGN_OR_RETURN(StoreChanges changes, store_->ChangesSince(vseq, rseq));
  std::unique_lock lock(mu_);
  anchors_ = std::move(anchors);
  if (changes.vouch_seq == vouch_seq_ && changes.revocation_seq == revocation_seq_) return OkStatus();
  for (const auto& e : changes.added) graph_.Add(e);
  for (const auto& [issuer, id] : changes.revoked) graph_.Remove(issuer, id);
  if (graph_.pending_count() > 1024 && graph_.pending_count() * 10 > graph_.edge_count()) graph_.Compact();
  vouch_seq_ = changes.vouch_seq;
  revocation_seq_ = changes.revocation_seq;
  return OkStatus();
}

TrustResult TrustView::Score(std::string_view subject, std::string_view scope, TimePoint now) const {
  std::shared_lock lock(mu_);
  return engine_.Score(graph_, anchors_, subject, scope, now);
}

std::vector<std::string> TrustView::anchors() const {
  std::shared_lock lock(mu_);
  return anchors_;
}

std::size_t TrustView::edge_count() const {
  std::shared_lock lock(mu_);
  return graph_.edge_count();
}

json::Object JsonOf(const TrustResult& r) {
  json::Array paths;
  for (const auto& p : r.paths) {
    json::Array dids, weights;
    for (const auto& d : p.dids) dids.emplace_back(d);
    for (double w : p.weights) weights.emplace_back(w);
    paths.emplace_back(json::Object{{"path", std::move(dids)},
                                    {"weights", std::move(weights)},
                                    {"contribution", p.contribution},
                                    {"share", r.score > 0 ? std::min(1.0, p.contribution / r.score) : 0.0}});
  }
  return json::Object{{"score", r.score}, {"anchor", r.anchor}, {"paths", std::move(paths)}, {"unexplained", r.unexplained}};
}

}  // namespace aip::trust
