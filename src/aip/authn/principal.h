// Principal: who is calling, as established by an authenticator before a request is served.
// Authentication (who you are) stays apart from authorization (what you may do): this struct
// carries identity facts only; policy decides what they allow.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/clock.h"

namespace aip::authn {

struct Principal {
  // kBot: an operator's agent signing the Web Bot Auth way (docs/web-bot-auth.md), identified
  // by its origin and key thumbprint; it proves who sent the request, not what the request says.
  enum class Kind { kAnonymous, kAgent, kApiKey, kUser, kBot };
  Kind kind = Kind::kAnonymous;
  std::string id;                   // Stable identifier: the DID for agents.
  std::string did;                  // Agent DID (did:key / did:aip), when proven.
  std::string verification_method;  // The key that signed.
  std::string audience;             // The audience the credential was for.
  std::optional<TimePoint> created;
  std::string subject;  // Delegating user, for tokens on a user's behalf.
  std::string client_id;
  std::vector<std::string> actor_chain;
  std::vector<std::string> scopes;
  std::vector<std::string> roles;
  // Globs over "<upstream>.<tool>" that this credential is limited to (an API key's allowlist);
  // empty: no limit beyond policy.
  std::vector<std::string> tools;
  std::map<std::string, std::string> attributes;
  // The credentials that established this principal, by authn::CredentialTypeName
  // ("aip-proof", "web-bot-auth", ...): what a rule's `require = { credential = … }` asks.
  std::vector<std::string> credentials;
};

// Principal::attributes["operator_did"]: for a bot, its operator's origin as a did:web
// (did:web:bot.example): trust can be given to the operator as a whole — every key its verified
// directory lists — as well as to one key (the principal's did:key).
inline constexpr std::string_view kOperatorDidAttribute = "operator_did";

// The kinds by name, in one place: "anonymous", "agent", "api_key", "user", "bot" — as policy rules,
// audit lines and the CLI spell them.
std::string_view KindName(Principal::Kind kind);
// PrincipalKey names a principal for comparisons ("agent:did:key:…"); empty for none.
std::string PrincipalKey(const Principal* principal);
std::optional<Principal::Kind> KindFromName(std::string_view name);

}  // namespace aip::authn
