#include "aip/registry/trust_index.h"

namespace aip::registry {
namespace {

constexpr int kBatch = 50000;

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Status TrustIndex::Fresh(std::chrono::milliseconds max_age) {
  if (!written_ && SteadyMs() - last_catch_up_ms_ < max_age.count()) return OkStatus();
  return CatchUp();
}

Status TrustIndex::CatchUp() {
  std::lock_guard one(catch_up_mu_);
  written_ = false;  // Cleared first: a write landing during the catch-up marks it again.
  last_catch_up_ms_ = SteadyMs();
  for (;;) {
    AIP_ASSIGN_OR_RETURN(auto edges, store_->VouchEdgesAfter(vouch_seq_, kBatch));
    AIP_ASSIGN_OR_RETURN(auto revoked, store_->RevocationsAfter(revocation_seq_, kBatch));
    if (edges.empty() && revoked.empty()) break;
    std::unique_lock lock(mu_);
    for (const auto& e : edges) {
      graph_.Add(e.edge);
      vouch_seq_ = e.seq;
    }
    // A revocation may arrive before its vouch; the store then refuses the vouch, so removing
    // what is there is enough.
    for (const auto& r : revoked) {
      graph_.Remove(r.issuer, r.vouch_id);
      revocation_seq_ = r.seq;
    }
    if (graph_.pending_count() > 10000) graph_.Compact();
  }
  return OkStatus();
}

Result<TrustAnswer> TrustIndex::Query(const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope,
                                      TimePoint now) {
  TrustAnswer answer;
  {
    std::shared_lock lock(mu_);
    answer.result = engine_.Score(graph_, anchors, subject, scope, now);
  }
  for (const auto& path : answer.result.paths) {
    ExplainedPath explained{path, {}};
    for (std::size_t hop = 0; hop + 1 < path.dids.size(); ++hop) {
      AIP_ASSIGN_OR_RETURN(auto vouches, store_->VouchesBetween(path.dids[hop], path.dids[hop + 1]));
      std::string best;
      for (const auto& v : vouches) {
        if (v.revoked) continue;
        if (!scope.empty() && !trust::ScopeCovers(v.scope, scope)) continue;
        best = v.document;
        break;
      }
      explained.vouches.push_back(std::move(best));
    }
    answer.paths.push_back(std::move(explained));
  }
  return answer;
}

std::size_t TrustIndex::edge_count() const {
  std::shared_lock lock(mu_);
  return graph_.edge_count();
}

std::size_t TrustIndex::node_count() const {
  std::shared_lock lock(mu_);
  return graph_.node_count();
}

std::vector<trust::EdgeInput> TrustIndex::Neighbourhood(std::string_view center, std::size_t limit) const {
  std::shared_lock lock(mu_);
  std::vector<trust::EdgeInput> out;
  auto center_id = center.empty() ? std::nullopt : graph_.Find(center);
  if (!center.empty() && !center_id) return out;
  for (std::uint32_t node = 0; node < graph_.node_count() && out.size() < limit; ++node) {
    graph_.ForEachOut(node, [&](const trust::TrustGraph::Edge& e) {
      if (e.removed || out.size() >= limit) return;
      if (center_id && node != *center_id && e.target != *center_id) return;
      trust::EdgeInput in;
      in.issuer = graph_.Did(node);
      in.subject = graph_.Did(e.target);
      in.scope = graph_.scopes()[e.scope];
      in.weight = e.weight;
      out.push_back(std::move(in));
    });
  }
  return out;
}

}  // namespace aip::registry
