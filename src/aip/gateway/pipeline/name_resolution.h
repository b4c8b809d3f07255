// Which upstream serves a name the caller used: "<upstream>.<tool>" for namespaced upstreams,
// the bare name for one that is not, and for resources the upstream that lists the URI or has a
// template matching it.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "aip/gateway/upstream.h"

namespace aip::gateway {

using UpstreamMap = std::map<std::string, std::shared_ptr<Upstream>>;

enum class CatalogKind { kTool, kPrompt };

// SplitName splits "upstream.tool" at the first dot.
std::optional<std::pair<std::string, std::string>> SplitName(std::string_view namespaced);

struct ResolvedName {
  std::shared_ptr<Upstream> upstream;
  std::string name;                // The upstream's own name for it.
  const json::Object* definition;  // As listed (valid while the upstream's catalog is held).
  std::shared_ptr<const Catalog> catalog;
};
std::optional<ResolvedName> ResolveName(const UpstreamMap& upstreams, std::string_view shown, CatalogKind kind);

// WithheldName finds a name the caller gave that a pinned upstream lists but withholds (its
// definition is not approved): the upstream and why (Catalog::withheld_tools).
struct WithheldName {
  std::string upstream;
  std::string reason;
};
std::optional<WithheldName> FindWithheld(const UpstreamMap& upstreams, std::string_view shown, CatalogKind kind);

// UpstreamForUri finds the upstream listing `uri`, or else one with a template matching it.
std::shared_ptr<Upstream> UpstreamForUri(const UpstreamMap& upstreams, std::string_view uri);

}  // namespace aip::gateway
