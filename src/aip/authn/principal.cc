#include "aip/authn/principal.h"

namespace aip::authn {
namespace {

constexpr std::pair<Principal::Kind, std::string_view> kKinds[] = {{Principal::Kind::kAnonymous, "anonymous"},
                                                                   {Principal::Kind::kAgent, "agent"},
                                                                   {Principal::Kind::kApiKey, "api_key"},
                                                                   {Principal::Kind::kUser, "user"},
                                                                   {Principal::Kind::kBot, "bot"}};

}  // namespace

std::string_view KindName(Principal::Kind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "anonymous";
}

std::optional<Principal::Kind> KindFromName(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string PrincipalKey(const Principal* principal) {
  if (principal == nullptr || principal->kind == Principal::Kind::kAnonymous) return "";
  return std::string(KindName(principal->kind)) + ":" + principal->id;
}

}  // namespace aip::authn
