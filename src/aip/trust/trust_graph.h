// TrustGraph: the vouch graph in memory, built for queries over millions of agents. Agents are
// interned to 32-bit ids; vouches are out-edges in compressed sparse rows (one offsets array, one
// edge array sorted by issuer), plus a small per-issuer list of edges added since the last
// Compact(). Revoking marks an edge removed in place. An edge is 40 bytes, so 10M vouches take
// about 400 MB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aip/base/clock.h"

namespace aip::trust {

struct EdgeInput {
  std::string issuer;
  std::string subject;
  std::string scope;
  double weight = 1.0;
  TimePoint valid_from;
  std::optional<TimePoint> valid_until;
  std::string vouch_id;
};

class TrustGraph {
 public:
  struct Edge {
    std::uint32_t target;
    std::uint16_t scope;
    bool removed;
    float weight;
    std::int64_t valid_from;   // Unix seconds.
    std::int64_t valid_until;  // Unix seconds; INT64_MAX: no end.
    std::uint64_t vouch;       // Hash of the vouch id (for revocation).
  };

  // Build replaces the graph with these vouches (compacted).
  void Build(const std::vector<EdgeInput>& edges);
  // Add adds one vouch (visible at once; merged into the rows by Compact).
  void Add(const EdgeInput& edge);
  // Remove marks the vouch `vouch_id` by `issuer` removed; false if there is none.
  bool Remove(std::string_view issuer, std::string_view vouch_id);
  // Compact merges added edges into the rows (the ones Remove marked are dropped).
  void Compact();

  std::optional<std::uint32_t> Find(std::string_view did) const;
  const std::string& Did(std::uint32_t node) const { return dids_[node]; }
  const std::vector<std::string>& scopes() const { return scopes_; }
  std::size_t node_count() const { return dids_.size(); }
  std::size_t edge_count() const { return edge_count_; }
  std::size_t pending_count() const { return pending_count_; }
  std::size_t MemoryBytes() const;

  // ForEachOut calls f(const Edge&) for each edge out of `node`, removed ones included.
  template <typename F>
  void ForEachOut(std::uint32_t node, F&& f) const {
    if (node + 1 < offsets_.size()) {
      for (std::uint64_t i = offsets_[node]; i < offsets_[node + 1]; ++i) f(edges_[i]);
    }
    if (auto it = pending_.find(node); it != pending_.end()) {
      for (const Edge& e : it->second) f(e);
    }
  }

  // OutDegree counts the edges out of `node` (removed ones included) without visiting them.
  std::size_t OutDegree(std::uint32_t node) const {
    std::size_t n = node + 1 < offsets_.size() ? offsets_[node + 1] - offsets_[node] : 0;
    if (auto it = pending_.find(node); it != pending_.end()) n += it->second.size();
    return n;
  }

  static std::uint64_t VouchHash(std::string_view vouch_id);

 private:
  std::uint32_t Intern(std::string_view did);
  std::uint16_t InternScope(std::string_view scope);
  Edge MakeEdge(const EdgeInput& in);

  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> dids_;
  std::unordered_map<std::string, std::uint16_t> scope_ids_;
  std::vector<std::string> scopes_;
  std::vector<std::uint64_t> offsets_;  // node_count + 1 entries once compacted.
  std::vector<Edge> edges_;
  std::unordered_map<std::uint32_t, std::vector<Edge>> pending_;
  std::size_t edge_count_ = 0;
  std::size_t pending_count_ = 0;
};

}  // namespace aip::trust
