#include "aip/gateway/pipeline/call.h"

namespace aip::gateway {

const json::Object GatewayCall::kNoArguments;

json::Object PrincipalFields(const authn::Principal* p) {
  if (p == nullptr) return json::Object{{"agent", nullptr}, {"kind", authn::KindName(authn::Principal::Kind::kAnonymous)}};
  json::Object o{{"agent", p->id}, {"kind", authn::KindName(p->kind)}};
  if (!p->did.empty()) o["did"] = p->did;
  if (!p->subject.empty()) o["subject"] = p->subject;
  if (!p->client_id.empty()) o["client_id"] = p->client_id;
  if (!p->credentials.empty()) {
    json::Array credentials;
    for (const auto& c : p->credentials) credentials.emplace_back(c);
    o["credentials"] = std::move(credentials);  // How the caller proved itself (a bot: its Web Bot Auth signature).
  }
  return o;
}

policy::Request GatewayCall::PolicyRequest() const { return policy::Request{who(), upstream->name(), request.method, target, arguments}; }

json::Object GatewayCall::Record(std::string_view type) const {
  json::Object r = PrincipalFields(who());
  r["type"] = type;
  r["trace_id"] = trace.trace_id;
  r["request_id"] = trace.span_id;
  r["upstream"] = upstream->name();
  r["action"] = request.method;
  r["target"] = target;
  return r;
}

}  // namespace aip::gateway
