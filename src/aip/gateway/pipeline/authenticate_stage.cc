#include "aip/gateway/pipeline/stages.h"

namespace aip::gateway {

std::optional<Outcome> AuthenticateStage::Run(GatewayCall& call) {
  if (!authenticator_) return std::nullopt;
  auto auth = authenticator_->Authenticate(mcp::ToJson(call.request), call.ctx.http);
  if (auto* failure = std::get_if<authn::AuthFailure>(&auth)) {
    call.state.metrics->Decision("unauthenticated", failure->reason);
    if (audit_) {
      // Not fail-closed: the call is refused either way.
      (void)audit_->Append(json::Object{{"type", "decision"},
                                        {"action", call.request.method},
                                        {"decision", "unauthenticated"},
                                        {"reason", failure->reason},
                                        {"agent", nullptr}});
    }
    return mcp::AuthRefusal(*failure);
  }
  call.principal = std::get<std::optional<authn::Principal>>(std::move(auth));
  if (auto refused = mcp::SessionOwnerRefusal(call.ctx.session, call.who())) {
    call.state.metrics->Decision("unauthenticated", "session_owner");
    return std::move(*refused);
  }
  return std::nullopt;
}

}  // namespace aip::gateway
