#include "aip/proxy/definition_screen.h"

#include "aip/mcp/jsonrpc.h"

namespace aip::proxy {
namespace {

// PinKind maps a listing method, or a call method, to the kind pins key items by.
std::string_view ListKind(std::string_view method) { return method == "tools/list" ? "tools" : method == "prompts/list" ? "prompts" : ""; }

}  // namespace

DefinitionScreen::DefinitionScreen(std::shared_ptr<pins::PinStore> store, std::string server, pins::PinMode mode,
                                   std::function<void(std::string_view)> log)
    : store_(std::move(store)), server_(std::move(server)), mode_(mode), log_(std::move(log)) {}

void DefinitionScreen::ScreenAnswer(std::string_view method, const json::Object& request, json::Object& answer) {
  std::string_view list_kind = ListKind(method);
  if (list_kind.empty() || mode_ == pins::PinMode::kOff) return;
  json::Value* result = answer.if_contains("result");
  if (result == nullptr || !result->is_object()) return;
  json::Value* items = result->as_object().if_contains(list_kind);
  if (items == nullptr || !items->is_array()) return;
  std::string pin_kind = list_kind == "tools" ? "tool" : "prompt";
  // A page of a longer listing cannot tell what was removed: only a whole listing reports it.
  const json::Value* params = request.if_contains("params");
  bool first_page = params == nullptr || !params->is_object() || !params->get_object().contains("cursor");
  bool complete = first_page && !result->as_object().contains("nextCursor");

  std::vector<pins::ListedItem> listed;
  for (const auto& item : items->get_array()) {
    if (!item.is_object()) continue;
    auto name = json::OptionalString(item.get_object(), "name");
    if (!name) continue;
    auto signer = verifier_.Verify(item.get_object());
    listed.push_back({pin_kind, std::string(*name), &item.get_object(), signer.ok() ? *signer : ""});
  }
  // An empty listing says nothing: behind a gateway it may only mean this caller may list
  // nothing yet, so it neither uses up trust on first use nor reports removals.
  bool whole = complete && !listed.empty();
  auto screened = store_->Screen(server_, mode_, listed, whole ? std::vector<std::string>{pin_kind} : std::vector<std::string>{});
  std::lock_guard lock(mu_);
  listed_.insert(std::string(list_kind));
  std::set<std::string> out;
  if (!screened) {
    if (log_)
      log_("pins of " + server_ + " cannot be checked (" + screened.error().message + "): its " + std::string(list_kind) + " are withheld");
    for (const auto& l : listed) {
      withheld_[pin_kind + "/" + l.name] = "pins_unavailable";
      out.insert(l.name);
    }
  } else {
    for (const auto& l : listed) withheld_.erase(pin_kind + "/" + l.name);
    for (const auto& w : screened->withheld) {
      withheld_[w.kind + "/" + w.name] = w.reason;
      out.insert(w.name);
    }
    for (const auto& c : screened->changes) {
      if (log_) log_("pins: " + server_ + " " + c.kind + " " + c.name + " " + c.change + " (aip pins diff; aip pins approve)");
    }
  }
  if (out.empty()) return;
  json::Array kept;
  for (auto& item : items->as_array()) {
    auto name = item.is_object() ? json::OptionalString(item.get_object(), "name") : std::nullopt;
    if (!name || !out.contains(std::string(*name))) kept.push_back(std::move(item));
  }
  *items = std::move(kept);
}

std::optional<json::Object> DefinitionScreen::Refusal(const json::Object& request) const {
  auto method = json::OptionalString(request, "method");
  if (!method || (*method != "tools/call" && *method != "prompts/get")) return std::nullopt;
  const json::Value* params = request.if_contains("params");
  auto name = params != nullptr && params->is_object() ? json::OptionalString(params->get_object(), "name") : std::nullopt;
  if (!name) return std::nullopt;
  std::string what = *method == "tools/call" ? "tool" : "prompt";
  std::lock_guard lock(mu_);
  auto it = withheld_.find(what + "/" + std::string(*name));
  if (it == withheld_.end()) return std::nullopt;
  std::string why = pins::WithheldWhy(it->second);
  return mcp::MakeError(
      request.at("id"), kWithheldCode,
      "Forbidden: " + what + " " + std::string(*name) + ": " + why + "; withheld until you approve it (aip pins diff; aip pins approve)",
      json::Object{{"reason", "definition_" + it->second}, {what, *name}, {"server", server_}});
}

std::map<std::string, std::string> DefinitionScreen::Withheld() const {
  std::lock_guard lock(mu_);
  return withheld_;
}

bool DefinitionScreen::Listed(std::string_view kind) const {
  std::lock_guard lock(mu_);
  return listed_.contains(std::string(kind));
}

}  // namespace aip::proxy
