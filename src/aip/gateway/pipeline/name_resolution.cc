#include "aip/gateway/pipeline/name_resolution.h"

#include "aip/mcp/uri_template.h"

namespace aip::gateway {
namespace {

const json::Object* Lookup(const Catalog& catalog, std::string_view name, CatalogKind kind) {
  return kind == CatalogKind::kTool ? catalog.Tool(name) : catalog.Prompt(name);
}

const std::string* Withheld(const Catalog& catalog, std::string_view name, CatalogKind kind) {
  const auto& map = kind == CatalogKind::kTool ? catalog.withheld_tools : catalog.withheld_prompts;
  auto it = map.find(name);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

std::optional<WithheldName> FindWithheld(const UpstreamMap& upstreams, std::string_view shown, CatalogKind kind) {
  std::size_t dot = shown.find('.');
  for (const auto& [name, u] : upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    std::string_view own = shown;
    if (u->config().namespaced) {
      if (dot == std::string_view::npos || shown.substr(0, dot) != name) continue;
      own = shown.substr(dot + 1);
    }
    if (const std::string* reason = Withheld(*catalog, own, kind)) return WithheldName{name, *reason};
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> SplitName(std::string_view namespaced) {
  std::size_t dot = namespaced.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == namespaced.size()) return std::nullopt;
  return std::pair{std::string(namespaced.substr(0, dot)), std::string(namespaced.substr(dot + 1))};
}

std::optional<ResolvedName> ResolveName(const UpstreamMap& upstreams, std::string_view shown, CatalogKind kind) {
  std::size_t dot = shown.find('.');
  if (dot != std::string_view::npos && dot > 0 && dot + 1 < shown.size()) {
    auto it = upstreams.find(std::string(shown.substr(0, dot)));
    if (it != upstreams.end() && it->second->config().namespaced) {
      std::string_view own = shown.substr(dot + 1);
      if (auto catalog = it->second->catalog()) {
        if (const json::Object* def = Lookup(*catalog, own, kind)) return ResolvedName{it->second, std::string(own), def, catalog};
      }
    }
  }
  for (const auto& [name, u] : upstreams) {
    if (u->config().namespaced) continue;
    if (auto catalog = u->catalog()) {
      if (const json::Object* def = Lookup(*catalog, shown, kind)) return ResolvedName{u, std::string(shown), def, catalog};
    }
  }
  return std::nullopt;
}

std::shared_ptr<Upstream> UpstreamForUri(const UpstreamMap& upstreams, std::string_view uri) {
  for (const auto& [name, u] : upstreams) {
    auto catalog = u->catalog();
    if (catalog && catalog->Resource(uri) != nullptr) return u;
  }
  for (const auto& [name, u] : upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    for (const auto& t : catalog->resource_templates) {
      const json::Value* v = t.is_object() ? t.get_object().if_contains("uriTemplate") : nullptr;
      if (v == nullptr || !v->is_string()) continue;
      auto parsed = mcp::UriTemplate::Parse(v->get_string());
      if (parsed && parsed->Match(uri)) return u;
    }
  }
  return nullptr;
}

}  // namespace aip::gateway
