#include "aip/mcp/protocol.h"

#include <algorithm>

namespace aip::mcp {

const std::vector<std::string>& LegacyVersions() {
  static const std::vector<std::string> v = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
  return v;
}

const std::vector<std::string>& ModernVersions() {
  static const std::vector<std::string> v = {std::string(kModernVersion)};
  return v;
}

bool IsLegacyVersion(std::string_view v) {
  const auto& l = LegacyVersions();
  return std::find(l.begin(), l.end(), v) != l.end();
}

bool IsModernVersion(std::string_view v) {
  const auto& m = ModernVersions();
  return std::find(m.begin(), m.end(), v) != m.end();
}

std::string NegotiateLegacyVersion(std::string_view requested) {
  return IsLegacyVersion(requested) ? std::string(requested) : std::string(kLatestLegacyVersion);
}

const json::Object* RequestMeta(const json::Object& params) {
  const json::Value* m = params.if_contains("_meta");
  return m != nullptr && m->is_object() ? &m->get_object() : nullptr;
}

std::optional<std::string> ModernVersionOf(const json::Object& params) {
  const json::Object* meta = RequestMeta(params);
  if (meta == nullptr) return std::nullopt;
  const json::Value* v = meta->if_contains(kMetaProtocolVersion);
  if (v == nullptr) return std::nullopt;
  return v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<json::Object> ValidateModernMeta(const json::Object& params) {
  std::optional<std::string> v = ModernVersionOf(params);
  if (!v) return std::nullopt;
  if (!IsModernVersion(*v)) {
    json::Array supported;
    for (const auto& s : ModernVersions()) supported.emplace_back(s);
    for (const auto& s : LegacyVersions()) supported.emplace_back(s);
    return json::Object{{"code", -32022},
                        {"message", "Unsupported protocol version"},
                        {"data", json::Object{{"supported", std::move(supported)}, {"requested", *v}}}};
  }
  const json::Value* caps = RequestMeta(params)->if_contains(kMetaClientCapabilities);
  if (caps == nullptr || !caps->is_object()) {
    return json::Object{{"code", -32602}, {"message", "Invalid params: _meta must carry io.modelcontextprotocol/clientCapabilities"}};
  }
  return std::nullopt;
}

json::Object Implementation::ToJson() const {
  json::Object o{{"name", name}, {"version", version}};
  if (!title.empty()) o["title"] = title;
  return o;
}

}  // namespace aip::mcp
