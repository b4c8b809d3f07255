#include "aip/trust/identity_links.h"

#include <algorithm>
#include <set>

namespace aip::trust {

std::string Standing::Note() const {
  switch (kind) {
    case kActive:
      return "";
    case kRotated:
      return "key rotated to " + current + "; the current key holds the trust";
    case kDeactivated:
      return "identity deactivated";
    case kForked:
      return "rotation chain forked (one key rotated twice); the identity counts for nothing";
  }
  return "";
}

void IdentityLinks::AddRotation(std::string_view previous, std::string_view next, TimePoint at) {
  auto& links = next_[std::string(previous)];
  for (const Link& l : links) {
    if (l.next == next) return;
  }
  links.push_back({std::string(next), at});
  previous_[std::string(next)].push_back(std::string(previous));
}

void IdentityLinks::AddDeactivation(std::string_view did, TimePoint at) {
  auto [it, inserted] = deactivated_.emplace(std::string(did), at);
  if (!inserted) it->second = std::min(it->second, at);
}

Standing IdentityLinks::Of(std::string_view did) const {
  Standing s;
  s.current = std::string(did);
  std::set<std::string> seen{s.current};
  for (int hops = 0;; ++hops) {
    if (deactivated_.contains(s.current)) {
      s.kind = Standing::kDeactivated;
      return s;
    }
    auto it = next_.find(s.current);
    if (it == next_.end()) break;
    // A fork, a cycle or an endless chain: no branch is the identity.
    if (it->second.size() > 1 || hops >= kMaxRotationChain || !seen.insert(it->second[0].next).second) {
      s.kind = Standing::kForked;
      return s;
    }
    s.current = it->second[0].next;
  }
  // A fork or a merge anywhere before the current key (an earlier key rotated twice, or this chain claiming two
  // histories) ends it too.
  std::string back = s.current;
  for (int hops = 0; hops < kMaxRotationChain; ++hops) {
    auto it = previous_.find(back);
    if (it == previous_.end()) break;
    if (it->second.size() > 1 || next_.at(it->second[0]).size() > 1) {
      s.kind = Standing::kForked;
      return s;
    }
    back = it->second[0];
  }
  s.kind = s.current == did ? Standing::kActive : Standing::kRotated;
  return s;
}

bool IdentityLinks::Map(EdgeInput& edge) const {
  if (empty()) return true;
  Standing issuer = Of(edge.issuer);
  Standing subject = Of(edge.subject);
  auto ended = [](const Standing& s) { return s.kind == Standing::kDeactivated || s.kind == Standing::kForked; };
  if (ended(issuer) || ended(subject)) return false;
  if (issuer.kind == Standing::kRotated) return false;
  if (issuer.current == subject.current) return false;
  edge.issuer = std::move(issuer.current);
  edge.subject = std::move(subject.current);
  return true;
}

std::vector<std::string> IdentityLinks::Keys(std::string_view did) const {
  std::vector<std::string> keys{std::string(did)};
  for (int hops = 0; hops < kMaxRotationChain; ++hops) {
    auto it = previous_.find(keys.back());
    if (it == previous_.end() || it->second.size() != 1) break;
    keys.push_back(it->second[0]);
  }
  return {keys.rbegin(), keys.rend()};
}

std::vector<std::string> IdentityLinks::Current(const std::vector<std::string>& dids) const {
  if (empty()) return dids;
  std::vector<std::string> out;
  for (const auto& d : dids) {
    Standing s = Of(d);
    if (s.kind == Standing::kActive || s.kind == Standing::kRotated) out.push_back(std::move(s.current));
  }
  return out;
}

}  // namespace aip::trust
