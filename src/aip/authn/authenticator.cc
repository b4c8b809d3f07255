#include "aip/authn/authenticator.h"

#include <algorithm>

namespace aip::authn {

json::Object AuthFailureData(const AuthFailure& failure) {
  json::Object data{{"reason", failure.reason}};
  if (!failure.dpop_nonce.empty()) data["dpopNonce"] = failure.dpop_nonce;
  return data;
}

std::variant<std::optional<Principal>, AuthFailure> CredentialAuthenticator::Authenticate(const json::Object& request,
                                                                                          const HttpInfo* http) {
  auto found = FindCredential(credential_type(), request, http);
  if (auto* failure = std::get_if<AuthFailure>(&found)) return std::move(*failure);
  const auto& credential = std::get<std::optional<Credential>>(found);
  if (!credential) return std::optional<Principal>();
  auto verified = Verify(*credential, request, http);
  if (auto* failure = std::get_if<AuthFailure>(&verified)) return std::move(*failure);
  Principal& p = std::get<Principal>(verified);
  p.credentials.assign(1, std::string(CredentialTypeName(credential->type)));
  return std::optional<Principal>(std::move(p));
}

Status AuthenticatorChain::Add(std::shared_ptr<CredentialAuthenticator> a) {
  for (const auto& existing : chain_) {
    if (existing->credential_type() == a->credential_type()) {
      return InvalidArgumentError("two authenticators for " + std::string(CredentialTypeName(a->credential_type())));
    }
  }
  chain_.push_back(std::move(a));
  return OkStatus();
}

std::variant<std::optional<Principal>, AuthFailure> AuthenticatorChain::Authenticate(const json::Object& request, const HttpInfo* http) {
  auto found = FindCredentials(request, http);
  if (auto* failure = std::get_if<AuthFailure>(&found)) return std::move(*failure);
  std::optional<Principal> agent, other;
  for (const Credential& credential : std::get<std::vector<Credential>>(found)) {
    auto owner = std::find_if(chain_.begin(), chain_.end(), [&](const auto& a) { return a->credential_type() == credential.type; });
    if (owner == chain_.end()) continue;
    auto r = (*owner)->Verify(credential, request, http);
    if (auto* failure = std::get_if<AuthFailure>(&r)) return std::move(*failure);
    std::optional<Principal> p = std::move(std::get<Principal>(r));
    p->credentials.assign(1, std::string(CredentialTypeName(credential.type)));
    if (p->kind == Principal::Kind::kAgent) {
      // A proof and an HTTP signature may both come: from one agent.
      if (agent && agent->did != p->did) return AuthFailure{"ambiguous_credentials", "signatures from two different agents"};
      if (!agent) {
        agent = std::move(p);
      } else {
        agent->credentials.push_back(p->credentials.front());
      }
    } else {
      if (other) return AuthFailure{"ambiguous_credentials", "more than one credential (API key, token)"};
      other = std::move(p);
    }
  }
  if (!agent || !other) return agent ? agent : other;
  if (other->kind == Principal::Kind::kBot) {
    // A Web Bot Auth signature and aip's proof by the same key: the agent, its call proven, with
    // the operator's origin it also signed for.
    if (other->did != agent->did) return AuthFailure{"agent_mismatch", "the Web Bot Auth key is not the key that signed the call"};
    agent->credentials.push_back(other->credentials.front());
    for (auto& [name, value] : other->attributes) agent->attributes.emplace(name, std::move(value));
    return agent;
  }
  // A user's token and a signed call together: the agent must be the client the token was
  // issued to (or one acting through it), and the principal then carries both.
  if (other->kind != Principal::Kind::kUser) {
    return AuthFailure{"ambiguous_credentials", "a signed call and an API key together"};
  }
  bool same = other->client_id == agent->did ||
              std::find(other->actor_chain.begin(), other->actor_chain.end(), agent->did) != other->actor_chain.end();
  if (!same) return AuthFailure{"agent_mismatch", "the signed call's agent is not the client the token was issued to"};
  other->did = agent->did;
  other->verification_method = agent->verification_method;
  other->credentials.insert(other->credentials.end(), agent->credentials.begin(), agent->credentials.end());
  return other;
}

}  // namespace aip::authn
