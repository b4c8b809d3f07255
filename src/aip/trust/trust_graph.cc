#include "aip/trust/trust_graph.h"

#include <algorithm>
#include <limits>

#include "aip/base/encoding.h"

namespace aip::trust {
namespace {

std::int64_t Seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

}  // namespace

std::uint64_t TrustGraph::VouchHash(std::string_view vouch_id) {
  // Vouch ids are SHA-256 digests ("sha256:<hex>"): their first 64 bits are already a good hash.
  std::uint64_t h = 0;
  if (vouch_id.starts_with("sha256:") && vouch_id.size() >= 7 + 16) {
    auto hex = HexDecode(vouch_id.substr(7, 16));
    if (hex) {
      for (std::uint8_t b : *hex) h = h << 8 | b;
      return h;
    }
  }
  h = 1469598103934665603ull;  // FNV-1a for anything else.
  for (unsigned char c : vouch_id) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::uint32_t TrustGraph::Intern(std::string_view did) {
  auto [it, fresh] = ids_.try_emplace(std::string(did), static_cast<std::uint32_t>(dids_.size()));
  if (fresh) dids_.emplace_back(did);
  return it->second;
}

std::uint16_t TrustGraph::InternScope(std::string_view scope) {
  auto [it, fresh] = scope_ids_.try_emplace(std::string(scope), static_cast<std::uint16_t>(scopes_.size()));
  if (fresh) scopes_.emplace_back(scope);
  return it->second;
}

TrustGraph::Edge TrustGraph::MakeEdge(const EdgeInput& in) {
  Edge e{};
  e.target = Intern(in.subject);
  e.scope = InternScope(in.scope);
  e.removed = false;
  e.weight = static_cast<float>(in.weight);
  e.valid_from = Seconds(in.valid_from);
  e.valid_until = in.valid_until ? Seconds(*in.valid_until) : std::numeric_limits<std::int64_t>::max();
  e.vouch = VouchHash(in.vouch_id);
  return e;
}

std::optional<std::uint32_t> TrustGraph::Find(std::string_view did) const {
  auto it = ids_.find(std::string(did));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void TrustGraph::Build(const std::vector<EdgeInput>& edges) {
  ids_.clear();
  dids_.clear();
  scope_ids_.clear();
  scopes_.clear();
  offsets_.clear();
  edges_.clear();
  pending_.clear();
  edge_count_ = pending_count_ = 0;
  std::vector<std::pair<std::uint32_t, Edge>> all;
  all.reserve(edges.size());
  for (const auto& in : edges) {
    std::uint32_t from = Intern(in.issuer);
    all.emplace_back(from, MakeEdge(in));
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  offsets_.assign(dids_.size() + 1, 0);
  edges_.reserve(all.size());
  for (const auto& [from, e] : all) {
    ++offsets_[from + 1];
    edges_.push_back(e);
  }
  for (std::size_t i = 1; i < offsets_.size(); ++i) offsets_[i] += offsets_[i - 1];
  edge_count_ = edges_.size();
}

void TrustGraph::Add(const EdgeInput& in) {
  std::uint32_t from = Intern(in.issuer);
  pending_[from].push_back(MakeEdge(in));
  ++pending_count_;
  ++edge_count_;
}

bool TrustGraph::Remove(std::string_view issuer, std::string_view vouch_id) {
  auto node = Find(issuer);
  if (!node) return false;
  std::uint64_t h = VouchHash(vouch_id);
  bool found = false;
  auto mark = [&](Edge& e) {
    if (e.vouch == h && !e.removed) {
      e.removed = true;
      found = true;
    }
  };
  if (*node + 1 < offsets_.size()) {
    for (std::uint64_t i = offsets_[*node]; i < offsets_[*node + 1]; ++i) mark(edges_[i]);
  }
  if (auto it = pending_.find(*node); it != pending_.end()) {
    for (Edge& e : it->second) mark(e);
  }
  if (found) --edge_count_;
  return found;
}

void TrustGraph::Compact() {
  std::vector<std::uint64_t> offsets(dids_.size() + 1, 0);
  std::vector<Edge> edges;
  edges.reserve(edge_count_);
  for (std::uint32_t n = 0; n < dids_.size(); ++n) {
    ForEachOut(n, [&](const Edge& e) {
      if (!e.removed) edges.push_back(e);
    });
    offsets[n + 1] = edges.size();
  }
  offsets_ = std::move(offsets);
  edges_ = std::move(edges);
  pending_.clear();
  pending_count_ = 0;
  edge_count_ = edges_.size();
}

std::size_t TrustGraph::MemoryBytes() const {
  std::size_t bytes = offsets_.capacity() * sizeof(std::uint64_t) + edges_.capacity() * sizeof(Edge);
  for (const auto& d : dids_) bytes += sizeof(std::string) + (d.capacity() > 15 ? d.capacity() + 1 : 0);
  // The id map: one node per agent (key string, value, hash, next pointer) plus its buckets.
  bytes += ids_.size() * (sizeof(std::string) + 24) + ids_.bucket_count() * sizeof(void*);
  for (const auto& d : dids_) bytes += d.capacity() > 15 ? d.capacity() + 1 : 0;
  for (const auto& [n, v] : pending_) bytes += v.capacity() * sizeof(Edge) + 48;
  return bytes;
}

}  // namespace aip::trust
