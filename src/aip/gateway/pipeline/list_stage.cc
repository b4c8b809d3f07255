#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {
namespace {

struct ListKind {
  std::string_view method;
  std::string_view key;     // The answer's array.
  std::string_view action;  // What listing an item lets the caller do.
  std::string_view field;   // The item's identifier.
  json::Array Catalog::*items;
};

constexpr ListKind kLists[] = {
    {"tools/list", "tools", "tools/call", "name", &Catalog::tools},
    {"prompts/list", "prompts", "prompts/get", "name", &Catalog::prompts},
    {"resources/list", "resources", "resources/read", "uri", &Catalog::resources},
    {"resources/templates/list", "resourceTemplates", "resources/read", "uriTemplate", &Catalog::resource_templates},
};

}  // namespace

std::optional<Outcome> ListStage::Run(GatewayCall& call) {
  const ListKind* kind = nullptr;
  for (const auto& k : kLists) {
    if (call.request.method == k.method) kind = &k;
  }
  if (kind == nullptr) return std::nullopt;
  const PipelineState& state = call.state;
  if (call.who() == nullptr && !state.unsafe_allow_all && !state.policy->AdmitsAnonymous()) {
    // Nothing here is open to strangers: a 401 now, not an empty list, is what makes an OAuth
    // client sign in before it looks for tools.
    return mcp::RpcError{mcp::kUnauthenticatedCode, "Unauthenticated: this gateway serves only authenticated callers",
                         json::Value(json::Object{{"reason", "missing_credential"}})};
  }
  json::Array out;
  for (const auto& [name, u] : state.upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    for (const auto& item : (*catalog).*(kind->items)) {
      if (!item.is_object()) continue;
      const json::Value* id = item.get_object().if_contains(kind->field);
      if (id == nullptr || !id->is_string()) continue;
      policy::Request q{call.who(), name, std::string(kind->action), std::string(id->get_string()), nullptr};
      if (!state.unsafe_allow_all && !state.policy->MayList(q)) continue;
      json::Object entry = item.get_object();
      if (kind->field == "name" && u->config().namespaced) entry["name"] = name + "." + std::string(id->get_string());
      out.emplace_back(std::move(entry));
    }
  }
  state.metrics->Request(call.request.method, CallOutcome::kOk);
  // What a caller sees depends on who it is: no shared cache may keep it.
  return json::Value(json::Object{{kind->key, std::move(out)}, {"ttlMs", 60000}, {"cacheScope", "private"}});
}

}  // namespace aip::gateway
