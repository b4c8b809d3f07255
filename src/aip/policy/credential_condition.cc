#include "aip/policy/credential_condition.h"

#include <algorithm>

#include "aip/authn/credentials.h"

namespace aip::policy {
namespace {

constexpr authn::CredentialType kTypes[] = {authn::CredentialType::kProof,      authn::CredentialType::kHttpSignature,
                                            authn::CredentialType::kWebBotAuth, authn::CredentialType::kLegacyAipHeaders,
                                            authn::CredentialType::kApiKey,     authn::CredentialType::kAccessToken};

bool Known(std::string_view name) {
  return std::any_of(std::begin(kTypes), std::end(kTypes), [&](auto t) { return authn::CredentialTypeName(t) == name; });
}

std::string KnownNames() {
  std::string out;
  for (auto t : kTypes) out += (out.empty() ? "" : ", ") + std::string(authn::CredentialTypeName(t));
  return out;
}

class CredentialCondition final : public Condition {
 public:
  explicit CredentialCondition(std::vector<std::string> any_of) : any_of_(std::move(any_of)) {}

  bool Holds(const Request& request) const override {
    if (request.principal == nullptr) return false;
    const auto& have = request.principal->credentials;
    return std::any_of(any_of_.begin(), any_of_.end(),
                       [&](const std::string& c) { return std::find(have.begin(), have.end(), c) != have.end(); });
  }
  std::string Describe() const override { return "a credential: " + Join(any_of_, " or "); }
  std::string Name() const override { return "credential"; }
  std::string Explain(const Request& request) const override {
    std::string had =
        request.principal == nullptr || request.principal->credentials.empty() ? "none" : Join(request.principal->credentials, ", ");
    return "requires a credential: " + Join(any_of_, " or ") + " (the call came with: " + had + ")";
  }

 private:
  static std::string Join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
    return out;
  }
  std::vector<std::string> any_of_;
};

}  // namespace

ConditionFactory CredentialConditionFactory() {
  return [](const json::Value& spec) -> Result<std::shared_ptr<const Condition>> {
    std::vector<std::string> names;
    if (spec.is_string()) {
      names.emplace_back(spec.get_string());
    } else if (spec.is_array() && !spec.get_array().empty() && spec.get_array().size() <= 8) {
      for (const json::Value& v : spec.get_array()) {
        if (!v.is_string()) return InvalidArgumentError("credential: expected a name or a list of names");
        names.emplace_back(v.get_string());
      }
    } else {
      return InvalidArgumentError("credential: expected a name or a list of 1 to 8 names");
    }
    for (const auto& n : names) {
      if (!Known(n)) return InvalidArgumentError("credential: unknown \"" + n + "\" (known: " + KnownNames() + ")");
    }
    return std::shared_ptr<const Condition>(std::make_shared<CredentialCondition>(std::move(names)));
  };
}

}  // namespace aip::policy
