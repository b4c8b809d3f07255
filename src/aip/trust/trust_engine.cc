#include "aip/trust/trust_engine.h"

#include <algorithm>
#include <array>
#include <cmath>
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
  Query(const TrustGraph& g, const TrustParams& p, std::string_view scope, TimePoint now, const std::unordered_set<std::uint32_t>& anchors)
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

  std::size_t OutDegree(std::uint32_t u) const { return g_.OutDegree(u); }

 private:
  const TrustGraph& g_;
  const TrustParams& p_;
  const std::unordered_set<std::uint32_t>& anchors_;
  std::int64_t now_;
  std::vector<bool> scope_ok_;
  std::unordered_map<std::uint32_t, double> norms_;
};

// A Label is one walk prefix kept for the explanation: its product, where it is, and how it got
// there. Each agent keeps its k strongest labels per hop count.
struct Label {
  double product;
  std::uint32_t node;
  int parent;     // Index into the labels, -1 for an anchor.
  double weight;  // Of the vouch into `node`.
};

struct PushResult {
  std::unordered_map<std::uint32_t, double> visits;  // Every reached agent (Spread) or just `stop`.
  std::vector<Label> labels;
  std::vector<int> at_stop;  // Labels that reached `stop`.
};

// Frontier is one hop's mass (and walk labels) per agent, in dense arrays indexed by agent with
// a list of the agents touched, so clearing costs what was used, not the graph's size. One per
// thread, reused across queries.
struct Frontier {
  std::vector<double> mass;
  std::vector<std::uint32_t> touched;
  std::vector<std::array<int, 4>> labels;  // Up to kMaxTopK label indices per agent.
  std::vector<std::uint8_t> label_count;
  void Fit(std::size_t n) {
    if (mass.size() < n) {
      mass.resize(n, 0);
      labels.resize(n);
      label_count.resize(n, 0);
    }
  }
  void Add(std::uint32_t v, double m) {
    if (mass[v] == 0) touched.push_back(v);
    mass[v] += m;
  }
  void Clear() {
    for (std::uint32_t v : touched) {
      mass[v] = 0;
      label_count[v] = 0;
    }
    touched.clear();
  }
};

constexpr int kMaxTopK = 4;

// Push spreads the anchors' mass one hop per round and returns each agent's expected visits. An
// agent passes mass on only if it holds at least ε per out-vouch; `stop` (the agent asked about)
// passes nothing on. With `top_k` > 0 it also keeps, along the same edges, each agent's k
// strongest walk prefixes (max-product), so the explanation costs no second search.
PushResult Push(const TrustGraph& graph, const TrustParams& p, Query& q, const std::unordered_set<std::uint32_t>& anchors,
                std::optional<std::uint32_t> stop, int top_k) {
  thread_local Frontier a, b;
  thread_local std::vector<double> visits;
  thread_local std::vector<std::uint32_t> visited;
  top_k = std::min(top_k, kMaxTopK);
  a.Fit(graph.node_count());
  b.Fit(graph.node_count());
  if (visits.size() < graph.node_count()) visits.resize(graph.node_count(), 0);
  Frontier* cur = &a;
  Frontier* next = &b;
  PushResult out;
  for (std::uint32_t anchor : anchors) {
    cur->Add(anchor, 1);
    if (top_k > 0 && cur->label_count[anchor] == 0) {
      out.labels.push_back({1, anchor, -1, 0});
      cur->labels[anchor][cur->label_count[anchor]++] = static_cast<int>(out.labels.size()) - 1;
    }
  }
  std::vector<std::pair<std::uint32_t, double>> weighted;
  for (int depth = 0; depth <= p.max_depth && !cur->touched.empty(); ++depth) {
    for (std::uint32_t u : cur->touched) {
      double mass = cur->mass[u];
      if (visits[u] == 0) visited.push_back(u);
      visits[u] += mass;
      if (u == stop) {
        for (int i = 0; i < cur->label_count[u]; ++i) out.at_stop.push_back(cur->labels[u][i]);
        continue;
      }
      if (depth == p.max_depth) continue;
      if (mass < p.epsilon * static_cast<double>(std::max<std::size_t>(1, q.OutDegree(u)))) continue;
      // One pass for the weights (and the normalizer), one over the agents that get some.
      weighted.clear();
      double sum = 0;
      graph.ForEachOut(u, [&](const Edge& e) {
        double w = q.Weight(e);
        if (w > 0) {
          weighted.emplace_back(e.target, w);
          sum += w;
        }
      });
      double factor = (1 - p.alpha) / (anchors.contains(u) ? 1.0 : std::max(1.0, sum));
      int mine = top_k > 0 ? cur->label_count[u] : 0;
      for (const auto& [v, w] : weighted) {
        next->Add(v, mass * factor * w);
        if (mine == 0 || anchors.contains(v)) continue;
        for (int i = 0; i < mine; ++i) {
          int li = cur->labels[u][i];
          double product = out.labels[li].product * factor * w;
          std::uint8_t& have = next->label_count[v];
          int slot = have;
          if (have == top_k) {
            slot = 0;
            for (int j = 1; j < have; ++j) {
              if (out.labels[next->labels[v][j]].product < out.labels[next->labels[v][slot]].product) slot = j;
            }
            if (out.labels[next->labels[v][slot]].product >= product) continue;
          } else {
            ++have;
          }
          out.labels.push_back({product, v, li, w});
          next->labels[v][slot] = static_cast<int>(out.labels.size()) - 1;
        }
      }
    }
    cur->Clear();
    std::swap(cur, next);
  }
  cur->Clear();
  for (std::uint32_t v : visited) {
    if (!stop || v == *stop) out.visits[v] = visits[v];
    visits[v] = 0;
  }
  visited.clear();
  return out;
}

}  // namespace

std::unordered_map<std::uint32_t, double> TrustEngine::Spread(const TrustGraph& graph, const std::vector<std::string>& anchor_dids,
                                                              std::string_view scope, TimePoint now) const {
  std::unordered_set<std::uint32_t> anchors;
  for (const auto& a : anchor_dids) {
    if (auto id = graph.Find(a)) anchors.insert(*id);
  }
  Query q(graph, params_, scope, now, anchors);
  return Push(graph, params_, q, anchors, std::nullopt, 0).visits;
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
  PushResult pushed = Push(graph, params_, q, anchors, *target, params_.top_k);
  auto hit = pushed.visits.find(*target);
  if (hit == pushed.visits.end()) return out;
  out.score = std::min(1.0, hit->second);

  // Explanation: the strongest walks that reached the agent, simple paths only.
  std::sort(pushed.at_stop.begin(), pushed.at_stop.end(),
            [&](int a, int b) { return pushed.labels[a].product > pushed.labels[b].product; });
  double explained = 0;
  for (int li : pushed.at_stop) {
    if (static_cast<int>(out.paths.size()) == params_.top_k) break;
    TrustPath path;
    path.contribution = pushed.labels[li].product;
    std::unordered_set<std::uint32_t> seen;
    bool simple = true;
    for (int i = li; i >= 0; i = pushed.labels[i].parent) {
      simple &= seen.insert(pushed.labels[i].node).second;
      path.dids.push_back(graph.Did(pushed.labels[i].node));
      if (pushed.labels[i].parent >= 0) path.weights.push_back(pushed.labels[i].weight);
    }
    if (!simple) continue;
    std::reverse(path.dids.begin(), path.dids.end());
    std::reverse(path.weights.begin(), path.weights.end());
    explained += path.contribution;
    out.paths.push_back(std::move(path));
  }
  out.unexplained = std::max(0.0, out.score - explained);
  return out;
}

}  // namespace aip::trust
