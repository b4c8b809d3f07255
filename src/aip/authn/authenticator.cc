#include "aip/authn/authenticator.h"

#include <algorithm>

namespace aip::authn {

json::Object AuthFailureData(const AuthFailure& failure) {
  json::Object data{{"reason", failure.reason}};
  if (!failure.dpop_nonce.empty()) data["dpopNonce"] = failure.dpop_nonce;
  return data;
}

std::variant<std::optional<Principal>, AuthFailure> AuthenticatorChain::Authenticate(const json::Object& request,
                                                                                  const HttpInfo* http) {
  std::optional<Principal> agent, other;
  for (const auto& a : chain_) {
    auto r = a->Authenticate(request, http);
    if (std::holds_alternative<AuthFailure>(r)) return r;
    auto& p = std::get<std::optional<Principal>>(r);
    if (!p) continue;
    if (p->kind == Principal::Kind::kAgent) {
      // A proof and an HTTP signature may both come: from one agent.
      if (agent && agent->did != p->did) return AuthFailure{"ambiguous_credentials", "signatures from two different agents"};
      if (!agent) agent = std::move(p);
    } else {
      if (other) return AuthFailure{"ambiguous_credentials", "more than one credential (API key, token)"};
      other = std::move(p);
    }
  }
  if (!agent || !other) return agent ? agent : other;
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
  return other;
}

}  // namespace aip::authn
