#include "aip/trust/trust_engine.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "aip/trust/vouch.h"

namespace aip::trust {
namespace {

using Edge = TrustGraph::Edge;

// Query holds what one query computes once: which scopes count, each edge's weight now, and
// each agent's normalizer.
class Query {
 public:
  Query(const TrustGraph& g, const TrustParams& p, std::string_view scope, TimePoint now,
        const std::unordered_set<std::uint32_t>& anchors)
      : g_(g), p_(p), anchors_(anchors), now_(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()) {
    scope_ok_.resize(g.scopes().size());
    for (std::size_t i = 0; i < scope_ok_.size(); ++i) scope_ok_[i] = scope.empty() || ScopeCovers(g.scopes()[i], scope);
  }

  // Weight of `e` now: zero when removed, not yet or no longer valid, or outside the scope;
  // else its weight halved per half life of age.
  double Weight(const Edge& e) const {
    if (e.removed || !scope_ok_[e.scope] || now_ < e.valid_from || now_ >= e.valid_until) return 0;
    double age = static_cast<double>(now_ - e.valid_from);
    return e.weight * std::exp2(-age / static_cast<double>(p_.half_life.count()));
  }

  // Norm is 1 for anchors, else max(1, Σ weights out) (an agent splits what it passes on).
  double Norm(std::uint32_t u) {
    if (anchors_.contains(u)) return 1;
    auto it = norms_.find(u);
    if (it != norms_.end()) return it->second;
    double sum = 0;
    g_.ForEachOut(u, [&](const Edge& e) { sum += Weight(e); });
    return norms_[u] = std::max(1.0, sum);
  }

  std::size_t OutDegree(std::uint32_t u) const {
    std::size_t n = 0;
    g_.ForEachOut(u, [&](const Edge&) { ++n; });
    return n;
  }

 private:
  const TrustGraph& g_;
  const TrustParams& p_;
  const std::unordered_set<std::uint32_t>& anchors_;
  std::int64_t now_;
  std::vector<bool> scope_ok_;
  std::unordered_map<std::uint32_t, double> norms_;
};

// Push spreads the anchors' mass one hop per round and returns each agent's expected visits. An
// agent passes mass on only if it holds at least ε per out-vouch; `stop` (the agent asked about)
// passes nothing on.
std::unordered_map<std::uint32_t, double> Push(const TrustGraph& graph, const TrustParams& p, Query& q,
                                               const std::unordered_set<std::uint32_t>& anchors, std::optional<std::uint32_t> stop) {
  std::unordered_map<std::uint32_t, double> visits, frontier, next;
  for (std::uint32_t a : anchors) frontier[a] += 1;
  for (int depth = 0; depth <= p.max_depth && !frontier.empty(); ++depth) {
    next.clear();
    for (const auto& [u, mass] : frontier) {
      visits[u] += mass;
      if (depth == p.max_depth || u == stop) continue;
      if (mass < p.epsilon * static_cast<double>(std::max<std::size_t>(1, q.OutDegree(u)))) continue;
      double pass = mass * (1 - p.alpha) / q.Norm(u);
      graph.ForEachOut(u, [&](const Edge& e) {
        double w = q.Weight(e);
        if (w > 0) next[e.target] += pass * w;
      });
    }
    std::swap(frontier, next);
  }
  return visits;
}

struct Label {
  double product;
  std::uint32_t node;
  int parent;  // Index into the labels, -1 for an anchor.
  int depth;
  double weight;  // Of the edge into `node`.
};

}  // namespace

std::unordered_map<std::uint32_t, double> TrustEngine::Spread(const TrustGraph& graph, const std::vector<std::string>& anchor_dids,
                                                              std::string_view scope, TimePoint now) const {
  std::unordered_set<std::uint32_t> anchors;
  for (const auto& a : anchor_dids) {
    if (auto id = graph.Find(a)) anchors.insert(*id);
  }
  Query q(graph, params_, scope, now, anchors);
  return Push(graph, params_, q, anchors, std::nullopt);
}

TrustResult TrustEngine::Score(const TrustGraph& graph, const std::vector<std::string>& anchor_dids, std::string_view subject,
                               std::string_view scope, TimePoint now) const {
  TrustResult out;
  std::unordered_set<std::uint32_t> anchors;
  for (const auto& a : anchor_dids) {
    if (a == subject) out.anchor = true;
    if (auto id = graph.Find(a)) anchors.insert(*id);
  }
  if (out.anchor) {
    out.score = 1;
    out.paths.push_back(TrustPath{{std::string(subject)}, {}, 1});
    return out;
  }
  auto target = graph.Find(subject);
  if (!target || anchors.empty()) return out;
  Query q(graph, params_, scope, now, anchors);
  const double keep = 1 - params_.alpha;

  std::unordered_map<std::uint32_t, double> visits = Push(graph, params_, q, anchors, target);
  auto hit = visits.find(*target);
  if (hit == visits.end()) return out;
  out.score = std::min(1.0, hit->second);

  // Explanation: best-first over simple paths through agents the push reached; products only
  // shrink along a path, so complete paths come out strongest first.
  std::vector<Label> labels;
  auto cmp = [&](int a, int b) { return labels[a].product < labels[b].product; };
  std::priority_queue<int, std::vector<int>, decltype(cmp)> open(cmp);
  for (std::uint32_t a : anchors) {
    labels.push_back({1, a, -1, 0, 0});
    open.push(static_cast<int>(labels.size()) - 1);
  }
  double explained = 0;
  std::size_t expansions = 0;
  while (!open.empty() && static_cast<int>(out.paths.size()) < params_.top_k && expansions++ < params_.max_path_expansions) {
    int li = open.top();
    open.pop();
    Label l = labels[li];
    if (l.node == *target) {
      TrustPath path;
      path.contribution = l.product;
      for (int i = li; i >= 0; i = labels[i].parent) {
        path.dids.push_back(graph.Did(labels[i].node));
        if (labels[i].parent >= 0) path.weights.push_back(labels[i].weight);
      }
      std::reverse(path.dids.begin(), path.dids.end());
      std::reverse(path.weights.begin(), path.weights.end());
      explained += path.contribution;
      out.paths.push_back(std::move(path));
      continue;
    }
    if (l.depth == params_.max_depth) continue;
    double factor = keep / q.Norm(l.node);
    graph.ForEachOut(l.node, [&](const Edge& e) {
      double w = q.Weight(e);
      if (w <= 0 || !visits.contains(e.target) || anchors.contains(e.target)) return;
      for (int i = li; i >= 0; i = labels[i].parent) {
        if (labels[i].node == e.target) return;  // Simple paths only.
      }
      labels.push_back({l.product * factor * w, e.target, li, l.depth + 1, w});
      open.push(static_cast<int>(labels.size()) - 1);
    });
  }
  out.unexplained = std::max(0.0, out.score - explained);
  return out;
}

}  // namespace aip::trust
