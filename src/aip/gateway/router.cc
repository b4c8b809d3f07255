#include "aip/gateway/router.h"

#include "aip/gateway/trust_condition.h"

#include <chrono>
#include <cmath>

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/mcp/uri_template.h"

namespace aip::gateway {
namespace {

using Outcome = std::variant<json::Value, mcp::RpcError>;

mcp::RpcError Rpc(int code, std::string message, std::optional<json::Value> data = std::nullopt) {
  return mcp::RpcError{code, std::move(message), std::move(data)};
}

bool IsHex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string Namespaced(const std::string& upstream, std::string_view name) { return upstream + "." + std::string(name); }

json::Object PrincipalFields(const authn::Principal* p) {
  if (p == nullptr) return json::Object{{"agent", nullptr}, {"kind", authn::KindName(authn::Principal::Kind::kAnonymous)}};
  json::Object o{{"agent", p->id}, {"kind", authn::KindName(p->kind)}};
  if (!p->did.empty()) o["did"] = p->did;
  if (!p->subject.empty()) o["subject"] = p->subject;
  if (!p->client_id.empty()) o["client_id"] = p->client_id;
  return o;
}

// Where a read of `uri` goes: the upstream listing it, or one with a matching template.
std::shared_ptr<Upstream> UpstreamForUri(const RouterState& state, std::string_view uri) {
  for (const auto& [name, u] : state.upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    for (const auto& r : catalog->resources) {
      const json::Value* v = r.is_object() ? r.get_object().if_contains("uri") : nullptr;
      if (v != nullptr && v->is_string() && v->get_string() == uri) return u;
    }
  }
  for (const auto& [name, u] : state.upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    for (const auto& t : catalog->resource_templates) {
      const json::Value* v = t.is_object() ? t.get_object().if_contains("uriTemplate") : nullptr;
      if (v == nullptr || !v->is_string()) continue;
      auto parsed = mcp::UriTemplate::Parse(v->get_string());
      if (parsed && parsed->Match(uri)) return u;
    }
  }
  return nullptr;
}

bool Lists(const Upstream& u, const json::Array Catalog::*list, std::string_view name) {
  auto catalog = u.catalog();
  if (!catalog) return false;
  for (const auto& item : (*catalog).*list) {
    const json::Value* n = item.is_object() ? item.get_object().if_contains("name") : nullptr;
    if (n != nullptr && n->is_string() && n->get_string() == name) return true;
  }
  return false;
}

// ResolveName finds the upstream and its own name for a tool or prompt as the caller named it:
// "<upstream>.<name>" for namespaced upstreams, the bare name for one that is not.
std::optional<std::pair<std::shared_ptr<Upstream>, std::string>> ResolveName(const RouterState& state, const std::string& shown,
                                                                            const json::Array Catalog::*list) {
  if (auto split = SplitName(shown)) {
    auto it = state.upstreams.find(split->first);
    if (it != state.upstreams.end() && it->second->config().namespaced && Lists(*it->second, list, split->second)) {
      return std::pair{it->second, split->second};
    }
  }
  for (const auto& [name, u] : state.upstreams) {
    if (!u->config().namespaced && Lists(*u, list, shown)) return std::pair{u, shown};
  }
  return std::nullopt;
}

// ForwardedMeta is the _meta the upstream gets: the caller's progress token (notifications are
// relayed), its capabilities and log level (from its session in the legacy era), and nothing
// else: proofs and other _meta stay at the gateway.
json::Object ForwardedMeta(const mcp::RequestInfo& info, const mcp::CallContext& ctx) {
  json::Object out;
  if (const json::Value* pt = info.meta.if_contains("progressToken")) out["progressToken"] = *pt;
  if (info.modern) {
    for (std::string_view key : {mcp::kMetaClientCapabilities, mcp::kMetaLogLevel}) {
      if (const json::Value* v = info.meta.if_contains(key)) out[key] = *v;
    }
  } else if (ctx.session != nullptr) {
    out[mcp::kMetaClientCapabilities] = ctx.session->client_capabilities;
    out[mcp::kMetaLogLevel] = ctx.session->log_level;
  }
  return out;
}

}  // namespace

mcp::RpcError DenialError(const policy::Decision& decision, DenialDetail detail, std::string_view target,
                          std::string_view correlation_id) {
  json::Object data{{"reason", detail == DenialDetail::kNone ? std::string_view("denied") : decision.code},
                    {"correlationId", correlation_id}};
  if (detail == DenialDetail::kNone) return Rpc(mcp::kForbiddenCode, "Denied by policy", std::move(data));
  std::string message;
  const std::string& rule = decision.rule_id.empty() ? decision.closest_rule : decision.rule_id;
  if (rule.empty()) {
    message = "no rule allows this caller to use " + std::string(target);
  } else {
    data["rule"] = rule;
    message = "denied by rule `" + rule + "`";
    if (decision.code == policy::denial::kArgument || decision.code == policy::denial::kCondition) {
      data["field"] = decision.field;
      if (detail == DenialDetail::kFull) {
        message += ": " + decision.detail;
        data["detail"] = decision.detail;
      } else {
        message += decision.code == policy::denial::kArgument ? ": argument " + decision.field + " is not allowed"
                                                              : ": the " + decision.field + " condition is not met";
      }
    } else if (decision.code == policy::denial::kCredentialTools) {
      message += ": the credential is limited to other tools";
    } else if (detail == DenialDetail::kFull) {
      message += ": " + decision.reason;  // The deny rule's own words.
    }
  }
  return Rpc(mcp::kForbiddenCode, std::move(message), std::move(data));
}

std::optional<std::pair<std::string, std::string>> SplitName(std::string_view namespaced) {
  std::size_t dot = namespaced.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == namespaced.size()) return std::nullopt;
  return std::pair{std::string(namespaced.substr(0, dot)), std::string(namespaced.substr(dot + 1))};
}

TraceContext ContinueTrace(std::optional<std::string_view> traceparent) {
  TraceContext t;
  if (traceparent && traceparent->size() == 55) {
    std::string_view s = *traceparent;
    if (s.substr(0, 3) == "00-" && IsHex(s.substr(3, 32), 32) && s[35] == '-' && IsHex(s.substr(36, 16), 16) &&
        s[52] == '-' && IsHex(s.substr(53, 2), 2) && s.substr(3, 32) != std::string(32, '0')) {
      t.trace_id = std::string(s.substr(3, 32));
    }
  }
  if (t.trace_id.empty()) t.trace_id = HexEncode(crypto::RandomBytes(16));
  t.span_id = HexEncode(crypto::RandomBytes(8));
  t.child = "00-" + t.trace_id + "-" + t.span_id + "-01";
  return t;
}

struct GatewayRouter::Call {
  std::string method;          // As sent to the upstream.
  std::string action;          // Policy action: the method.
  std::string target;          // Tool/prompt name (without namespace) or resource URI.
  std::string shown_target;    // As the caller named it.
  std::shared_ptr<Upstream> upstream;
  json::Object params;         // Forwarded params (name rewritten, _meta reduced).
  json::Object arguments;      // What policy predicates read.
  const authn::Principal* principal = nullptr;
  TraceContext trace;

  // Record starts an audit line about this call: who, what, where, and its trace.
  json::Object Record(std::string_view type) const {
    json::Object r = PrincipalFields(principal);
    r["type"] = type;
    r["trace_id"] = trace.trace_id;
    r["request_id"] = trace.span_id;
    r["upstream"] = upstream->name();
    r["action"] = action;
    r["target"] = target;
    return r;
  }
};

GatewayRouter::GatewayRouter(std::shared_ptr<authn::RequestAuthenticator> authenticator, std::shared_ptr<AuditLog> audit,
                             std::shared_ptr<Metrics> metrics)
    : authenticator_(std::move(authenticator)), audit_(std::move(audit)), metrics_(std::move(metrics)) {
  metrics_->Describe("aip_gateway_requests_total", Metrics::Type::kCounter, "Catalog requests by method and outcome.");
  metrics_->Describe("aip_gateway_decisions_total", Metrics::Type::kCounter, "Authorization decisions by decision and rule.");
  metrics_->Describe("aip_gateway_upstream_latency_seconds", Metrics::Type::kHistogram, "Time spent in the upstream per call.");
  metrics_->Describe("aip_gateway_upstream_restarts_total", Metrics::Type::kCounter, "Upstream reconnections or respawns after a failure.");
}

void GatewayRouter::SetState(std::shared_ptr<const RouterState> state) {
  std::lock_guard lock(mu_);
  state_ = std::move(state);
}

std::shared_ptr<const RouterState> GatewayRouter::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

json::Object GatewayRouter::Capabilities() const {
  auto st = state();
  json::Object caps;
  if (!st) return caps;
  for (const auto& [name, u] : st->upstreams) {
    auto c = u->catalog();
    if (!c) continue;
    if (c->capabilities.contains("tools")) caps["tools"] = json::Object{{"listChanged", false}};
    if (c->capabilities.contains("resources")) caps["resources"] = json::Object{{"subscribe", false}, {"listChanged", false}};
    if (c->capabilities.contains("prompts")) caps["prompts"] = json::Object{{"listChanged", false}};
    if (c->capabilities.contains("completions")) caps["completions"] = json::Object{};
  }
  return caps;
}

std::optional<json::Value> GatewayRouter::ToolInputSchema(std::string_view name) const {
  auto st = state();
  if (!st) return std::nullopt;
  auto target = ResolveName(*st, std::string(name), &Catalog::tools);
  if (!target) return std::nullopt;
  auto catalog = target->first->catalog();
  for (const auto& t : catalog->tools) {
    const json::Value* n = t.is_object() ? t.get_object().if_contains("name") : nullptr;
    if (n != nullptr && n->is_string() && n->get_string() == target->second) {
      const json::Value* schema = t.get_object().if_contains("inputSchema");
      return schema != nullptr ? std::optional<json::Value>(*schema) : std::nullopt;
    }
  }
  return std::nullopt;
}

Outcome GatewayRouter::List(const std::string& method, const RouterState& state, const authn::Principal* principal) {
  std::string key = method == "tools/list" ? "tools" : method == "prompts/list" ? "prompts"
                    : method == "resources/list" ? "resources" : "resourceTemplates";
  std::string action = method == "tools/list" ? "tools/call" : method == "prompts/list" ? "prompts/get" : "resources/read";
  json::Array out;
  for (const auto& [name, u] : state.upstreams) {
    auto catalog = u->catalog();
    if (!catalog) continue;
    const json::Array& items = key == "tools" ? catalog->tools : key == "prompts" ? catalog->prompts
                               : key == "resources" ? catalog->resources : catalog->resource_templates;
    std::string_view field = key == "resources" ? "uri" : key == "resourceTemplates" ? "uriTemplate" : "name";
    for (const auto& item : items) {
      if (!item.is_object()) continue;
      const json::Value* id = item.get_object().if_contains(field);
      if (id == nullptr || !id->is_string()) continue;
      policy::Request q{principal, name, action, std::string(id->get_string()), nullptr};
      if (!state.unsafe_allow_all && !state.policy->MayList(q)) continue;
      json::Object entry = item.get_object();
      if (field == "name" && u->config().namespaced) entry["name"] = Namespaced(name, id->get_string());
      out.emplace_back(std::move(entry));
    }
  }
  // What a caller sees depends on who it is: no shared cache may keep it.
  return json::Value(json::Object{{key, std::move(out)}, {"ttlMs", 60000}, {"cacheScope", "private"}});
}

// Resolve finds the upstream and the target of a catalog request and builds the request the
// upstream will get.
std::variant<GatewayRouter::Call, mcp::RpcError> GatewayRouter::Resolve(const mcp::Request& r, const mcp::RequestInfo& info,
                                                                        const mcp::CallContext& ctx, const RouterState& state) {
  Call call;
  call.method = r.method;
  call.action = r.method;
  // The caller's _meta (with its proof) stays here: copy the rest, then add what is forwarded.
  call.params.reserve(r.params.size());
  for (const auto& kv : r.params) {
    if (kv.key() != "_meta") call.params.emplace(kv.key(), kv.value());
  }
  call.params["_meta"] = ForwardedMeta(info, ctx);
  auto by_name = [&](const std::string& shown, const json::Array Catalog::*list) -> std::optional<mcp::RpcError> {
    auto target = ResolveName(state, shown, list);
    if (!target) {
      return Rpc(mcp::kInvalidParams, "Unknown " + std::string(list == &Catalog::tools ? "tool" : "prompt") + ": " + shown);
    }
    call.upstream = target->first;
    call.target = target->second;
    call.shown_target = shown;
    return std::nullopt;
  };
  const json::Value* name = r.params.if_contains("name");
  if (r.method == "tools/call" || r.method == "prompts/get") {
    if (name == nullptr || !name->is_string()) return Rpc(mcp::kInvalidParams, "Invalid params: name is required");
    if (auto err = by_name(std::string(name->get_string()), r.method == "tools/call" ? &Catalog::tools : &Catalog::prompts)) return *err;
    call.params["name"] = call.target;
    if (const json::Value* a = r.params.if_contains("arguments")) {
      if (!a->is_object()) return Rpc(mcp::kInvalidParams, "Invalid params: arguments must be an object");
      call.arguments = a->get_object();
    }
  } else if (r.method == "resources/read") {
    const json::Value* uri = r.params.if_contains("uri");
    if (uri == nullptr || !uri->is_string()) return Rpc(mcp::kInvalidParams, "Invalid params: uri is required");
    call.upstream = UpstreamForUri(state, uri->get_string());
    if (!call.upstream) return Rpc(mcp::kInvalidParams, "Resource not found: " + std::string(uri->get_string()),
                                   json::Object{{"uri", *uri}});
    call.target = call.shown_target = std::string(uri->get_string());
  } else if (r.method == "completion/complete") {
    const json::Value* ref = r.params.if_contains("ref");
    if (ref == nullptr || !ref->is_object()) return Rpc(mcp::kInvalidParams, "Invalid params: ref is required");
    const json::Object& ro = ref->get_object();
    const json::Value* type = ro.if_contains("type");
    if (type != nullptr && *type == "ref/prompt" && ro.contains("name") && ro.at("name").is_string()) {
      if (auto err = by_name(std::string(ro.at("name").get_string()), &Catalog::prompts)) return *err;
      json::Object rewritten = ro;
      rewritten["name"] = call.target;
      call.params["ref"] = std::move(rewritten);
    } else if (type != nullptr && *type == "ref/resource" && ro.contains("uri") && ro.at("uri").is_string()) {
      call.upstream = UpstreamForUri(state, ro.at("uri").get_string());
      if (!call.upstream) return Rpc(mcp::kInvalidParams, "Resource not found");
      call.target = call.shown_target = std::string(ro.at("uri").get_string());
    } else {
      return Rpc(mcp::kInvalidParams, "Invalid params: unsupported ref");
    }
    if (const json::Value* a = r.params.if_contains("argument"); a != nullptr && a->is_object()) call.arguments = a->get_object();
  } else {
    return Rpc(mcp::kMethodNotFound, "Method not found: " + r.method);
  }
  call.trace = ContinueTrace(ctx.http != nullptr && ctx.http->headers != nullptr
                                 ? ctx.http->headers->Get("traceparent")
                                 : std::optional<std::string_view>());
  return call;

}

Outcome GatewayRouter::Route(const mcp::Request& r, const mcp::RequestInfo& info, mcp::CallContext& ctx) {
  auto state = this->state();
  if (!state) return Rpc(mcp::kInternalError, "gateway is not configured");

  // 1. Authenticate.
  std::optional<authn::Principal> principal;
  if (authenticator_) {
    auto auth = authenticator_->Authenticate(mcp::ToJson(r), ctx.http);
    if (auto* failure = std::get_if<authn::AuthFailure>(&auth)) {
      metrics_->Add("aip_gateway_decisions_total", {{"decision", "unauthenticated"}, {"rule", failure->reason}});
      if (audit_) {
        (void)audit_->Append(json::Object{{"type", "decision"}, {"action", r.method}, {"decision", "unauthenticated"},
                                          {"reason", failure->reason}, {"agent", nullptr}});
      }
      return Rpc(mcp::kUnauthenticatedCode, "Unauthenticated: " + failure->message, authn::AuthFailureData(*failure));
    }
    principal = std::get<std::optional<authn::Principal>>(auth);
  }
  const authn::Principal* who = principal ? &*principal : nullptr;

  if (r.method == "tools/list" || r.method == "prompts/list" || r.method == "resources/list" ||
      r.method == "resources/templates/list") {
    if (who == nullptr && !state->unsafe_allow_all && !state->policy->AdmitsAnonymous()) {
      // Nothing here is open to strangers: a 401 now, not an empty list, is what makes an OAuth
      // client sign in before it looks for tools.
      return Rpc(mcp::kUnauthenticatedCode, "Unauthenticated: this gateway serves only authenticated callers",
                 json::Object{{"reason", "missing_credential"}});
    }
    metrics_->Add("aip_gateway_requests_total", {{"method", r.method}, {"outcome", "ok"}});
    return List(r.method, *state, who);
  }

  // 2. Resolve the upstream and the target.
  auto resolved = Resolve(r, info, ctx, *state);
  if (auto* err = std::get_if<mcp::RpcError>(&resolved)) return std::move(*err);
  Call& call = std::get<Call>(resolved);
  call.principal = who;

  // 3. Authorize.
  policy::Request q{who, call.upstream->name(), call.action, call.target, &call.arguments};
  policy::Decision decision = state->unsafe_allow_all ? policy::Decision{true, "unsafe_allow_all", "development mode: everything allowed", policy::denial::kAllowed, {}, {}, {}}
                                                      : state->policy->Evaluate(q);
  json::Object record = call.Record("decision");
  if (state->trust && who != nullptr && !who->did.empty()) {
    // The caller's score in general and its strongest path, for whoever reads the audit log.
    if (auto t = state->trust->Score(who->did, "")) {
      json::Array path;
      if (!t->paths.empty()) {
        for (const auto& d : t->paths.front().dids) path.emplace_back(d);
      }
      record["trust"] = json::Object{{"score", t->score}, {"path", std::move(path)}};
    }
  }
  record["decision"] = decision.allow ? "allow" : "deny";
  record["rule"] = decision.rule_id;
  record["reason"] = decision.reason;
  std::optional<policy::Limited> limited;
  if (decision.allow) {
    limited = state->limits->Take(q);
    if (limited) {
      record["decision"] = "rate_limited";
      record["rule"] = limited->limit_id;
      record["reason"] = "rate limit " + limited->limit_id;
    }
  }
  if (audit_) {
    if (audit_->config().record_arguments) record["arguments"] = audit_->Redact(call.arguments);
    if (Status s = audit_->Append(record); !s.ok()) {
      // Fail closed: a call that cannot be recorded does not happen.
      return Rpc(mcp::kInternalError, "audit log unavailable");
    }
  }
  metrics_->Add("aip_gateway_decisions_total", {{"decision", std::string(record["decision"].get_string())},
                                                {"rule", decision.rule_id.empty() ? "default_deny" : std::string(record["rule"].get_string())}});
  if (!decision.allow) {
    metrics_->Add("aip_gateway_requests_total", {{"method", call.method}, {"outcome", "denied"}});
    if (who == nullptr) {
      // A stranger learns only that it must authenticate, not how the policy is written.
      return Rpc(mcp::kUnauthenticatedCode, "Unauthenticated: " + call.shown_target + " requires a signed request",
                 json::Object{{"reason", "missing_credential"}});
    }
    mcp::RpcError denied = DenialError(decision, state->denial_detail, call.shown_target, call.trace.span_id);
    if (!state->unsafe_allow_all) {
      // A token short of a scope: say which would do, so the client can step up (HTTP 403
      // insufficient_scope where OAuth is configured).
      auto scopes = state->policy->ScopesToAllow(q);
      if (!scopes.empty()) {
        json::Array a;
        for (auto& sc : scopes) a.emplace_back(sc);
        denied.data->as_object()["requiredScopes"] = std::move(a);
      }
    }
    return denied;
  }
  if (limited) {
    metrics_->Add("aip_gateway_requests_total", {{"method", call.method}, {"outcome", "rate_limited"}});
    auto seconds = std::max<std::int64_t>(1, (limited->retry_after.count() + 999) / 1000);
    return Rpc(mcp::kRateLimitedCode, "Too many requests: rate limit " + limited->limit_id,
               json::Object{{"limit", limited->limit_id}, {"retryAfterSeconds", seconds}});
  }
  return Forward(call, ctx);
}

Outcome GatewayRouter::Forward(Call& call, mcp::CallContext& ctx) {
  ForwardOptions fo;
  fo.traceparent = call.trace.child;
  fo.caller = call.principal;
  if (ctx.notify) fo.on_notification = [&ctx](const json::Object& note) { ctx.notify(note); };
  auto t0 = std::chrono::steady_clock::now();
  auto response = call.upstream->Forward(call.method, std::move(call.params), fo);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_->Observe("aip_gateway_upstream_latency_seconds", {{"upstream", call.upstream->name()}}, seconds);

  std::string outcome;
  Outcome result = json::Value(nullptr);
  std::optional<std::int64_t> error_code;
  if (!response) {
    outcome = "upstream_unavailable";
    result = Rpc(mcp::kInternalError, "Upstream " + call.upstream->name() + " unavailable",
                 json::Object{{"upstream", call.upstream->name()}});
  } else if (const json::Value* err = response->if_contains("error"); err != nullptr && err->is_object()) {
    const json::Object& e = err->get_object();
    const json::Value* code = e.if_contains("code");
    const json::Value* message = e.if_contains("message");
    mcp::RpcError re;
    re.code = code != nullptr && code->is_int64() ? static_cast<int>(code->get_int64()) : mcp::kInternalError;
    re.message = message != nullptr && message->is_string() ? std::string(message->get_string()) : "upstream error";
    if (const json::Value* d = e.if_contains("data")) re.data = *d;
    error_code = re.code;
    outcome = "rpc_error";
    result = std::move(re);
  } else {
    json::Value& res = (*response)["result"];
    bool tool_error = res.is_object() && res.get_object().contains("isError") && res.get_object().at("isError") == true;
    outcome = tool_error ? "tool_error" : "ok";
    result = std::move(res);
  }
  metrics_->Add("aip_gateway_requests_total", {{"method", call.method}, {"outcome", outcome}});
  if (audit_) {
    json::Object record = call.Record("outcome");
    record["outcome"] = outcome;
    if (error_code) record["error_code"] = *error_code;
    record["latency_ms"] = std::round(seconds * 1e6) / 1e3;
    if (Status s = audit_->Append(record); !s.ok()) return Rpc(mcp::kInternalError, "audit log unavailable");
  }
  return result;
}

}  // namespace aip::gateway
