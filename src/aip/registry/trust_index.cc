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
  AIP_ASSIGN_OR_RETURN(std::int64_t identity_records, store_->IdentityRecords());
  if (identity_records != identity_records_) {
    // A rotation or deactivation changes which node a vouch belongs to: rebuild from the start
    // (they are rare), outside the lock, then swap.
    AIP_ASSIGN_OR_RETURN(trust::IdentityLinks links, store_->Links());
    trust::TrustGraph graph;
    std::int64_t vouch_seq = 0, revocation_seq = 0;
    AIP_RETURN_IF_ERROR(ReadInto(graph, links, vouch_seq, revocation_seq, nullptr));
    graph.Compact();
    std::unique_lock lock(mu_);
    graph_ = std::move(graph);
    links_ = std::move(links);
    vouch_seq_ = vouch_seq;
    revocation_seq_ = revocation_seq;
    identity_records_ = identity_records;
    return OkStatus();
  }
  // links_ changes only here, under catch_up_mu_: reading it without mu_ is safe.
  return ReadInto(graph_, links_, vouch_seq_, revocation_seq_, &mu_);
}

Status TrustIndex::ReadInto(trust::TrustGraph& graph, const trust::IdentityLinks& links, std::int64_t& vouch_seq,
                            std::int64_t& revocation_seq, std::shared_mutex* mu) {
  for (;;) {
    AIP_ASSIGN_OR_RETURN(auto edges, store_->VouchEdgesAfter(vouch_seq, kBatch));
    AIP_ASSIGN_OR_RETURN(auto revoked, store_->RevocationsAfter(revocation_seq, kBatch));
    if (edges.empty() && revoked.empty()) break;
    // Queries wait only while a batch is applied, not while it is read.
    std::unique_lock<std::shared_mutex> lock;
    if (mu != nullptr) lock = std::unique_lock(*mu);
    for (auto& e : edges) {
      if (links.Map(e.edge)) graph.Add(e.edge);
      vouch_seq = e.seq;
    }
    // A revocation may arrive before its vouch; the store then refuses the vouch, so removing
    // what is there is enough.
    for (const auto& r : revoked) {
      graph.Remove(links.Of(r.issuer).current, r.vouch_id);
      revocation_seq = r.seq;
    }
    if (graph.pending_count() > 10000) graph.Compact();
  }
  return OkStatus();
}

Result<TrustAnswer> TrustIndex::Query(const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope,
                                      TimePoint now) {
  TrustAnswer answer;
  std::vector<std::vector<std::string>> keys;  // Per path, per agent: the keys of its identity.
  {
    std::shared_lock lock(mu_);
    if (trust::Standing standing = links_.Of(subject); standing.kind != trust::Standing::kActive) {
      answer.result.note = standing.Note();
      return answer;
    }
    answer.result = engine_.Score(graph_, links_.Current(anchors), subject, scope, now);
    for (const auto& path : answer.result.paths) {
      for (const auto& did : path.dids) keys.push_back(links_.Keys(did));
    }
  }
  std::size_t agent = 0;
  for (const auto& path : answer.result.paths) {
    ExplainedPath explained{path, {}};
    for (std::size_t hop = 0; hop + 1 < path.dids.size(); ++hop) {
      // The vouch was issued by the hop's current key (a retired key's count for nothing) for
      // any key of the next agent's identity.
      std::string best;
      for (const auto& subject_key : keys[agent + hop + 1]) {
        AIP_ASSIGN_OR_RETURN(auto vouches, store_->VouchesBetween(path.dids[hop], subject_key));
        for (const auto& v : vouches) {
          if (v.revoked) continue;
          if (!scope.empty() && !trust::ScopeCovers(v.scope, scope)) continue;
          best = v.document;
          break;
        }
        if (!best.empty()) break;
      }
      explained.vouches.push_back(std::move(best));
    }
    agent += path.dids.size();
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
