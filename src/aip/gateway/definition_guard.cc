#include "aip/gateway/definition_guard.h"

#include "aip/gateway/log.h"

namespace aip::gateway {
namespace {

struct Kind {
  std::string_view name;  // As pins key it.
  json::Array Catalog::*items;
  std::map<std::string, std::string, std::less<>> Catalog::*withheld;
};

constexpr Kind kKinds[] = {{"tool", &Catalog::tools, &Catalog::withheld_tools}, {"prompt", &Catalog::prompts, &Catalog::withheld_prompts}};

std::string_view NameOf(const json::Value& item) {
  if (!item.is_object()) return {};
  const json::Value* n = item.get_object().if_contains("name");
  return n != nullptr && n->is_string() ? std::string_view(n->get_string()) : std::string_view();
}

}  // namespace

DefinitionGuard::DefinitionGuard(std::shared_ptr<pins::PinStore> store, std::shared_ptr<AuditSink> audit, std::shared_ptr<Metrics> metrics)
    : store_(std::move(store)), audit_(std::move(audit)), metrics_(std::move(metrics)) {}

void DefinitionGuard::Screen(const UpstreamConfig& upstream, Catalog& catalog) {
  if (upstream.pin == pins::PinMode::kOff) return;
  std::vector<pins::ListedItem> listed;
  for (const Kind& k : kKinds) {
    for (const auto& item : catalog.*(k.items)) {
      std::string_view name = NameOf(item);
      if (!name.empty()) listed.push_back({std::string(k.name), std::string(name), &item.get_object()});
    }
  }
  auto screened = store_->Screen(upstream.name, upstream.pin, listed);
  if (!screened) {
    // Fail closed: nothing this upstream lists is served while its pins cannot be checked.
    LogEvent("error", "pins_unavailable",
             json::Object{{"upstream", upstream.name}, {"file", store_->file().string()}, {"error", screened.error().message}});
    for (const Kind& k : kKinds) {
      for (const auto& item : catalog.*(k.items)) {
        if (std::string_view name = NameOf(item); !name.empty()) (catalog.*(k.withheld))[std::string(name)] = "pins_unavailable";
      }
      (catalog.*(k.items)).clear();
    }
    return;
  }
  if (screened->first_listing_approved) {
    LogEvent("info", "pins_first_listing_approved", json::Object{{"upstream", upstream.name}, {"items", listed.size()}});
  }
  for (const auto& change : screened->changes) {
    json::Array fields;
    for (const auto& f : change.fields) fields.push_back(json::Object{{"pointer", f.pointer}, {"change", f.change}});
    json::Object record{{"type", "definition_change"},
                        {"upstream", upstream.name},
                        {"kind", change.kind},
                        {"name", change.name},
                        {"change", change.change},
                        {"pin", pins::PinModeName(upstream.pin)},
                        {"approved_hash", change.approved_hash.empty() ? json::Value(nullptr) : json::Value(change.approved_hash)},
                        {"listed_hash", change.listed_hash.empty() ? json::Value(nullptr) : json::Value(change.listed_hash)},
                        {"fields", std::move(fields)}};
    LogEvent("warning", "definition_change",
             json::Object{{"upstream", upstream.name}, {"kind", change.kind}, {"name", change.name}, {"change", change.change}});
    if (audit_) {
      if (Status s = audit_->Append(std::move(record)); !s.ok()) {
        LogEvent("error", "audit_failed", json::Object{{"error", s.error().message}});
      }
    }
    metrics_->Add("aip_gateway_definition_changes_total", {{"upstream", upstream.name}, {"change", change.change}});
  }
  for (const auto& w : screened->withheld) {
    const Kind& k = w.kind == "tool" ? kKinds[0] : kKinds[1];
    (catalog.*(k.withheld))[w.name] = w.reason;
  }
  for (const Kind& k : kKinds) {
    const auto& withheld = catalog.*(k.withheld);
    if (withheld.empty()) continue;
    json::Array& items = catalog.*(k.items);
    json::Array kept;
    for (auto& item : items) {
      if (!withheld.contains(NameOf(item))) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  metrics_->Set("aip_gateway_definitions_withheld", {{"upstream", upstream.name}},
                static_cast<double>(catalog.withheld_tools.size() + catalog.withheld_prompts.size()));
}

}  // namespace aip::gateway
