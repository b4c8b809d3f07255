#include "aip/trust/trust_view.h"

#include <mutex>

namespace aip::trust {

TrustView::TrustView(std::shared_ptr<TrustStore> store, TrustParams params, std::vector<std::string> extra_anchors)
    : store_(std::move(store)), engine_(params), extra_anchors_(std::move(extra_anchors)) {}

Status TrustView::Refresh() {
  AIP_ASSIGN_OR_RETURN(std::vector<std::string> anchors, store_->Anchors());
  anchors.insert(anchors.end(), extra_anchors_.begin(), extra_anchors_.end());
  std::int64_t vseq, rseq, identity_records;
  {
    std::shared_lock lock(mu_);
    vseq = vouch_seq_;
    rseq = revocation_seq_;
    identity_records = identity_records_;
  }
  AIP_ASSIGN_OR_RETURN(StoreChanges changes, store_->ChangesSince(vseq, rseq));
  if (changes.identity_records != identity_records) {
    // A rotation or deactivation changes which node a vouch belongs to: rebuild (they are rare).
    AIP_ASSIGN_OR_RETURN(IdentityLinks links, store_->Links());
    AIP_ASSIGN_OR_RETURN(StoreChanges all, store_->ChangesSince(0, 0));
    std::vector<EdgeInput> edges;
    edges.reserve(all.added.size());
    for (auto& e : all.added) {
      if (links.Map(e)) edges.push_back(std::move(e));
    }
    std::unique_lock lock(mu_);
    links_ = std::move(links);
    anchors_ = links_.Current(anchors);
    graph_.Build(edges);
    vouch_seq_ = all.vouch_seq;
    revocation_seq_ = all.revocation_seq;
    identity_records_ = all.identity_records;
    return OkStatus();
  }
  std::unique_lock lock(mu_);
  anchors_ = links_.Current(anchors);
  if (changes.vouch_seq == vouch_seq_ && changes.revocation_seq == revocation_seq_) return OkStatus();
  for (auto& e : changes.added) {
    if (links_.Map(e)) graph_.Add(e);
  }
  for (const auto& [issuer, id] : changes.revoked) graph_.Remove(links_.Of(issuer).current, id);
  if (graph_.pending_count() > 1024 && graph_.pending_count() * 10 > graph_.edge_count()) graph_.Compact();
  vouch_seq_ = changes.vouch_seq;
  revocation_seq_ = changes.revocation_seq;
  return OkStatus();
}

TrustResult TrustView::Score(std::string_view subject, std::string_view scope, TimePoint now) const {
  std::shared_lock lock(mu_);
  if (Standing standing = links_.Of(subject); standing.kind != Standing::kActive) {
    TrustResult ended;
    ended.note = standing.Note();
    return ended;
  }
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
  json::Object out{{"score", r.score}, {"anchor", r.anchor}, {"paths", std::move(paths)}, {"unexplained", r.unexplained}};
  if (!r.note.empty()) out["note"] = r.note;
  return out;
}

}  // namespace aip::trust
