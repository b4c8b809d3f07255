#include "aip/gateway/definition_guard.h"

#include <cstdio>

#include "aip/gateway/log.h"
#include "aip/mcpsig/definition_proof.h"

namespace aip::gateway {
namespace {

struct Kind {
  std::string_view pin_kind;   // As pins key it ("tool").
  std::string_view list_kind;  // As a listing names its array ("tools").
  json::Array Catalog::*items;
  std::map<std::string, std::string, std::less<>> Catalog::*withheld;
};

constexpr Kind kKinds[] = {{"tool", "tools", &Catalog::tools, &Catalog::withheld_tools},
                           {"prompt", "prompts", &Catalog::prompts, &Catalog::withheld_prompts},
                           {"resourceTemplate", "resourceTemplates", &Catalog::resource_templates, &Catalog::withheld_templates}};

const Kind& KindNamed(std::string_view pin_kind) {
  for (const Kind& k : kKinds) {
    if (k.pin_kind == pin_kind) return k;
  }
  return kKinds[0];
}

std::string_view NameOf(const json::Value& item) {
  if (!item.is_object()) return {};
  const json::Value* n = item.get_object().if_contains("name");
  return n != nullptr && n->is_string() ? std::string_view(n->get_string()) : std::string_view();
}

// RemoveWithheld takes the withheld names out of the catalog's lists.
void RemoveWithheld(Catalog& catalog) {
  for (const Kind& k : kKinds) {
    const auto& withheld = catalog.*(k.withheld);
    if (withheld.empty()) continue;
    json::Array kept;
    for (auto& item : catalog.*(k.items)) {
      if (!withheld.contains(NameOf(item))) kept.push_back(std::move(item));
    }
    catalog.*(k.items) = std::move(kept);
  }
}

}  // namespace

void ListEvidence::Page(const std::string& kind, const json::Object& page) {
  if (failure_.contains(kind)) return;
  const json::Value* items = page.if_contains(kind);
  if (items == nullptr || !items->is_array()) return;
  auto signer = mcpsig::VerifyListProof(kind, items->get_array(), page);
  if (!signer) {
    failure_[kind] = signer.error().message;
  } else if (auto it = signer_.find(kind); it != signer_.end() && it->second != *signer) {
    failure_[kind] = "pages signed by different DIDs (" + it->second + ", " + *signer + ")";
  } else {
    signer_[kind] = *signer;
  }
}

const std::string* ListEvidence::Signer(const std::string& kind) const {
  auto it = signer_.find(kind);
  return it == signer_.end() ? nullptr : &it->second;
}

const std::string* ListEvidence::Failure(const std::string& kind) const {
  auto it = failure_.find(kind);
  return it == failure_.end() ? nullptr : &it->second;
}

DefinitionGuard::DefinitionGuard(std::shared_ptr<pins::PinStore> store, std::shared_ptr<AuditSink> audit, std::shared_ptr<Metrics> metrics,
                                 std::shared_ptr<const TrustScores> trust)
    : store_(std::move(store)), audit_(std::move(audit)), metrics_(std::move(metrics)), trust_(std::move(trust)) {}

void DefinitionGuard::CheckTrust(const UpstreamConfig& upstream, Catalog& catalog, const std::string& signer) {
  if (!upstream.require_trust) return;
  const auto& need = *upstream.require_trust;
  std::optional<trust::TrustResult> score;
  if (trust_ && !signer.empty()) score = trust_->Score(signer, need.scope);
  bool trusted = score && score->score >= need.min;
  char figure[16];
  std::snprintf(figure, sizeof figure, "%.2f", score ? score->score : 0.0);
  std::string detail = signer.empty() ? "no verified signer"
                                      : signer + " scores " + figure + " in " + need.scope + " from the gateway's anchors (needs " +
                                            std::to_string(need.min).substr(0, 4) + ")";
  bool changed;
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = trusted_.try_emplace(upstream.name, trusted);
    changed = !inserted && it->second != trusted;
    it->second = trusted;
  }
  if (changed || !trusted) {
    LogEvent(trusted ? "info" : "warning", trusted ? "upstream_trusted" : "upstream_untrusted",
             json::Object{{"upstream", upstream.name}, {"detail", detail}});
  }
  if (trusted) return;
  for (const Kind& k : kKinds) {
    for (const auto& item : catalog.*(k.items)) {
      if (std::string_view name = NameOf(item); !name.empty()) Withhold(upstream, catalog, k.pin_kind, name, "untrusted_server", detail);
    }
  }
  RemoveWithheld(catalog);
}

void DefinitionGuard::Withhold(const UpstreamConfig& upstream, Catalog& catalog, std::string_view kind, std::string_view name,
                               const std::string& reason, const std::string& detail) {
  const Kind& k = KindNamed(kind);
  (catalog.*(k.withheld))[std::string(name)] = reason;
  // Audited and counted once per upstream, item, reason and detail — not on every listing.
  std::string key = upstream.name + "\n" + std::string(kind) + "\n" + std::string(name) + "\n" + reason + "\n" + detail;
  {
    std::lock_guard lock(mu_);
    if (!refusals_seen_.insert(key).second) return;
    if (refusals_seen_.size() > 10000) refusals_seen_.clear();  // Bounded: at worst a refusal is audited again.
  }
  LogEvent("warning", "definition_refused",
           json::Object{{"upstream", upstream.name}, {"kind", kind}, {"name", name}, {"reason", reason}, {"detail", detail}});
  if (audit_) {
    json::Object record{{"type", "definition_refused"},
                        {"upstream", upstream.name},
                        {"kind", kind},
                        {"name", name},
                        {"reason", reason},
                        {"detail", detail}};
    if (Status s = audit_->Append(std::move(record)); !s.ok())
      LogEvent("error", "audit_failed", json::Object{{"error", s.error().message}});
  }
  metrics_->Add("aip_gateway_definition_changes_total", {{"upstream", upstream.name}, {"change", reason}});
}

void DefinitionGuard::CheckSignatures(const UpstreamConfig& upstream, Catalog& catalog, const ListEvidence& evidence,
                                      std::map<std::string, std::string>& signers) {
  for (const Kind& k : kKinds) {
    std::string list_kind(k.list_kind);
    const std::string* page_failure = evidence.Failure(list_kind);
    const std::string* page_signer = evidence.Signer(list_kind);
    for (const auto& item : catalog.*(k.items)) {
      std::string_view name = NameOf(item);
      if (name.empty()) continue;
      auto signer = verifier_.Verify(item.get_object());
      if (!signer) {
        bool unsigned_item = signer.error().message.find("not signed") != std::string::npos;
        Withhold(upstream, catalog, k.pin_kind, name, unsigned_item ? "unsigned" : "bad_signature", signer.error().message);
        continue;
      }
      if (page_failure != nullptr) {
        // The page as a whole does not verify (an item taken out, added or moved): none of its
        // items can be told apart from a forgery.
        Withhold(upstream, catalog, k.pin_kind, name, "list_signature", *page_failure);
        continue;
      }
      if ((!upstream.signer.empty() && *signer != upstream.signer) || page_signer == nullptr || *signer != *page_signer) {
        std::string expected = !upstream.signer.empty() ? upstream.signer : (page_signer != nullptr ? *page_signer : "the list's signer");
        Withhold(upstream, catalog, k.pin_kind, name, "wrong_signer", "signed by " + *signer + ", not " + expected);
        continue;
      }
      signers[std::string(k.pin_kind) + "/" + std::string(name)] = *signer;
    }
  }
  RemoveWithheld(catalog);
}

void DefinitionGuard::Screen(const UpstreamConfig& upstream, Catalog& catalog, const ListEvidence& evidence) {
  std::map<std::string, std::string> signers;  // "tool/name" → the DID whose proof verified.
  if (upstream.require_signed_definitions) CheckSignatures(upstream, catalog, evidence, signers);
  if (upstream.require_trust) {
    // The server is the DID that signed its listing (every page by one DID, checked above).
    const std::string* signer = evidence.Signer("tools");
    if (signer == nullptr) signer = evidence.Signer("prompts");
    CheckTrust(upstream, catalog, signer != nullptr ? *signer : "");
  }
  if (upstream.pin == pins::PinMode::kOff) return;
  std::vector<pins::ListedItem> listed;
  for (const Kind& k : kKinds) {
    for (const auto& item : catalog.*(k.items)) {
      std::string_view name = NameOf(item);
      if (name.empty()) continue;
      std::string key = std::string(k.pin_kind) + "/" + std::string(name);
      auto signer = signers.find(key);
      listed.push_back({std::string(k.pin_kind), std::string(name), &item.get_object(), signer == signers.end() ? "" : signer->second});
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
      if (Status s = audit_->Append(std::move(record)); !s.ok())
        LogEvent("error", "audit_failed", json::Object{{"error", s.error().message}});
    }
    metrics_->Add("aip_gateway_definition_changes_total", {{"upstream", upstream.name}, {"change", change.change}});
  }
  for (const auto& w : screened->withheld) {
    const Kind& k = KindNamed(w.kind);
    (catalog.*(k.withheld))[w.name] = w.reason;
  }
  RemoveWithheld(catalog);
  metrics_->Set("aip_gateway_definitions_withheld", {{"upstream", upstream.name}},
                static_cast<double>(catalog.withheld_tools.size() + catalog.withheld_prompts.size() + catalog.withheld_templates.size()));
}

}  // namespace aip::gateway
