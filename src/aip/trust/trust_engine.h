// The trust engine: a verifier's own score for an agent, from its own anchors (docs/trust.md).
//
// Personalized PageRank from the anchors with restart probability α, computed by forward push one
// hop at a time up to a depth cap. Each anchor starts with mass 1; at every agent a walk stops
// with probability α, and the rest, (1 − α), moves along that agent's vouches that are valid now
// and cover the query's scope, in proportion to their weights — each decayed by its age (half
// life) — divided by max(1, the sum of those weights): an agent that vouches for many splits
// what it passes on (anchors pass each vouch on whole: they are trusted not to). The score of an
// agent is the expected number of times a walk reaches it, capped at 1: an anchor scores 1, an
// agent an anchor vouched for with weight w scores (1 − α)·w, two hops (1 − α)²·w₁·w₂, and several
// paths add up. With α = 0.2 a single chain scores 0.8^hops, the Python AIP project's formula.
//
// Sybil bound: walk mass enters a set of agents X only over vouches into X from outside
// ("attack edges"), so the PageRank mass of X, α·Σ_{x∈X} score(x), is at most the mass crossing
// those edges, Σ (1 − α)·score(u)·w(u→x)/norm(u) — whatever X's size and inner vouches.
//
// The explanation is the top-k max-product simple paths from an anchor (each path's product is
// exactly what walks along it contribute) and the part of the score those paths do not explain.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/base/clock.h"
#include "aip/trust/trust_graph.h"

namespace aip::trust {

struct TrustParams {
  double alpha = 0.2;
  double epsilon = 1e-3;  // Agents holding less mass than ε·max(1, out-degree) do not pass it on.
  int max_depth = 5;
  std::chrono::seconds half_life{std::chrono::hours(24 * 365)};
  int top_k = 3;  // At most 4.
};

struct TrustPath {
  std::vector<std::string> dids;  // Anchor first, the agent last.
  std::vector<double> weights;    // Each vouch's weight as counted (decayed), one per hop.
  double contribution = 0;        // What walks along this path add to the score.
};

struct TrustResult {
  double score = 0;
  bool anchor = false;
  std::vector<TrustPath> paths;
  double unexplained = 0;  // score − Σ contributions (longer walks, paths past top-k).
  std::string note;        // Why an identity scores nothing (rotated away, deactivated); "" otherwise.
};

class TrustEngine {
 public:
  explicit TrustEngine(TrustParams params = {}) : params_(params) {}
  const TrustParams& params() const { return params_; }

  // Score scores `subject` from `anchors` for vouches covering `scope` (empty: any scope).
  TrustResult Score(const TrustGraph& graph, const std::vector<std::string>& anchors, std::string_view subject, std::string_view scope,
                    TimePoint now) const;
  // Spread is the whole push: every reached agent's expected visits (uncapped). For bounds and
  // diagnostics; Score stops at the agent asked about.
  std::unordered_map<std::uint32_t, double> Spread(const TrustGraph& graph, const std::vector<std::string>& anchors, std::string_view scope,
                                                   TimePoint now) const;

 private:
  TrustParams params_;
};

}  // namespace aip::trust
