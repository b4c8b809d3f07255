#include "aip/mcp/server.h"

#include <algorithm>
#include <charconv>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"
#include "aip/mcp/request_params.h"

namespace aip::mcp {

namespace {

constexpr std::string_view kMethods[] = {
    "initialize",       "notifications/initialized", "ping",           "server/discover", "tools/list",  "tools/call",
    "resources/list",   "resources/templates/list",  "resources/read", "prompts/list",    "prompts/get", "completion/complete",
    "logging/setLevel", "notifications/cancelled"};

constexpr std::string_view kLogLevels[] = {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

int LogRank(std::string_view level) {
  for (int i = 0; i < 8; ++i) {
    if (kLogLevels[i] == level) return i;
  }
  return -1;
}

RpcError Rpc(int code, std::string message, std::optional<json::Value> data = std::nullopt) {
  return RpcError{code, std::move(message), std::move(data)};
}

bool ValidToolName(std::string_view n) {
  if (n.empty() || n.size() > 128) return false;
  return n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == std::string_view::npos;
}

std::string EncodeCursor(std::size_t offset) { return Base64UrlEncode(AsBytes("o:" + std::to_string(offset))); }

std::optional<std::size_t> DecodeCursor(const json::Object& params, std::size_t total) {
  auto c = ReadCursor(params);
  if (!c) return std::nullopt;
  if (!*c) return std::size_t{0};
  auto raw = Base64UrlDecode(**c);
  std::string s = raw ? ToString(*raw) : "";
  std::size_t off = 0;
  if (!s.starts_with("o:") || std::from_chars(s.data() + 2, s.data() + s.size(), off).ec != std::errc() || off > total) {
    return std::nullopt;
  }
  return off;
}

// Page returns items[offset, offset+page) under `key`, with nextCursor when more remain, and the
// cache hints that 2026-07-28 list results carry.
template <typename F>
std::variant<json::Value, RpcError> Page(const json::Object& params, std::size_t total, std::size_t page, std::string_view key,
                                         std::int64_t ttl, F item) {
  std::optional<std::size_t> off = DecodeCursor(params, total);
  if (!off) return Rpc(kInvalidParams, "Invalid cursor");
  json::Array arr;
  std::size_t end = std::min(total, *off + page);
  for (std::size_t i = *off; i < end; ++i) arr.emplace_back(item(i));
  json::Object result{{key, std::move(arr)}, {"ttlMs", ttl}, {"cacheScope", "public"}};
  if (end < total) result["nextCursor"] = EncodeCursor(end);
  return json::Value(std::move(result));
}

std::string IdKey(const Session* s, const json::Value& id) { return (s != nullptr ? s->id : std::string()) + "|" + json::Serialize(id); }

// Binding names the request a sealed requestState may continue: method, target, arguments and
// the authenticated caller (so one agent cannot continue another agent's exchange).
std::string Binding(std::string_view method, std::string_view name, const json::Value& arguments, const RequestInfo& info) {
  auto canonical = json::Canonicalize(arguments);
  return std::string(method) + "\n" + std::string(name) + "\n" +
         HexEncode(crypto::Sha256(AsBytes(canonical ? *canonical : std::string()))) + "\n" +
         (info.principal ? info.principal->id : std::string());
}

}  // namespace

HandlerContext::HandlerContext(const RequestInfo& info, std::function<void(json::Object)> notify, std::shared_ptr<Cancellation> cancelled,
                               std::string log_level, json::Object client_capabilities, json::Object input_responses,
                               std::string request_state)
    : info_(info),
      notify_(std::move(notify)),
      cancelled_(std::move(cancelled)),
      log_level_(std::move(log_level)),
      capabilities_(std::move(client_capabilities)),
      input_responses_(std::move(input_responses)),
      request_state_(std::move(request_state)) {}

void HandlerContext::Progress(double progress, std::optional<double> total, const std::string& message) {
  const json::Value* token = info_.meta.if_contains("progressToken");
  if (token == nullptr || !notify_) return;
  json::Object params{{"progressToken", *token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  notify_(json::Object{{"jsonrpc", "2.0"}, {"method", "notifications/progress"}, {"params", std::move(params)}});
}

void HandlerContext::Log(std::string_view level, json::Value data) {
  // An empty level means the client asked for no logs (2026: no _meta logLevel).
  if (!notify_ || log_level_.empty() || LogRank(level) < LogRank(log_level_)) return;
  notify_(json::Object{
      {"jsonrpc", "2.0"}, {"method", "notifications/message"}, {"params", json::Object{{"level", level}, {"data", std::move(data)}}}});
}

ToolResult ToolResult::Text(std::string text) {
  ToolResult r;
  r.content.emplace_back(json::Object{{"type", "text"}, {"text", std::move(text)}});
  return r;
}

ToolResult ToolResult::Structured(json::Object value) {
  ToolResult r = Text(json::Serialize(value));
  r.structured = std::move(value);
  return r;
}

ToolResult ToolResult::Error(std::string text) {
  ToolResult r = Text(std::move(text));
  r.is_error = true;
  return r;
}

McpServer::McpServer(Implementation info, ServerOptions options)
    : info_(std::move(info)),
      options_(std::move(options)),
      sealer_(options_.request_state_key ? RequestStateSealer(*options_.request_state_key) : RequestStateSealer()) {}

bool McpServer::IsKnownMethod(std::string_view method) {
  return std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
}

Status McpServer::AddTool(ToolDef tool) {
  if (!ValidToolName(tool.name)) return InvalidArgumentError("tool name must be 1-128 of [A-Za-z0-9_.-]");
  if (ToolByName(tool.name) != nullptr) return AlreadyExistsError("duplicate tool " + tool.name);
  if (!tool.handler) return InvalidArgumentError("tool " + tool.name + " has no handler");
  AIP_ASSIGN_OR_RETURN(JsonSchema schema, JsonSchema::Compile(tool.input_schema));
  tool_schemas_.push_back(std::move(schema));
  tools_.push_back(std::move(tool));
  return OkStatus();
}

Status McpServer::AddResource(ResourceDef resource, ReadHandler read) {
  if (resource.uri.empty() || !read) return InvalidArgumentError("resource needs a URI and a reader");
  resources_.emplace_back(std::move(resource), std::move(read));
  return OkStatus();
}

Status McpServer::AddResourceTemplate(ResourceTemplateDef t) {
  AIP_ASSIGN_OR_RETURN(UriTemplate parsed, UriTemplate::Parse(t.uri_template));
  if (!t.read) return InvalidArgumentError("resource template needs a reader");
  templates_.emplace_back(std::move(t), std::move(parsed));
  return OkStatus();
}

Status McpServer::AddPrompt(PromptDef prompt) {
  if (prompt.name.empty() || !prompt.get) return InvalidArgumentError("prompt needs a name and a handler");
  prompts_.push_back(std::move(prompt));
  return OkStatus();
}

const ToolDef* McpServer::ToolByName(std::string_view name) const {
  for (const auto& t : tools_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::optional<json::Value> McpServer::ToolInputSchema(std::string_view name) const {
  if (options_.router) return options_.router->ToolInputSchema(name);
  const ToolDef* t = ToolByName(name);
  if (t == nullptr) return std::nullopt;
  return t->input_schema;
}

json::Object McpServer::Capabilities() const {
  json::Object caps;
  if (options_.router) {
    caps = options_.router->Capabilities();
    caps["logging"] = json::Object{};
    return caps;
  }
  if (!tools_.empty()) caps["tools"] = json::Object{{"listChanged", false}};
  if (!resources_.empty() || !templates_.empty()) {
    caps["resources"] = json::Object{{"subscribe", false}, {"listChanged", false}};
  }
  if (!prompts_.empty()) caps["prompts"] = json::Object{{"listChanged", false}};
  caps["completions"] = json::Object{};
  caps["logging"] = json::Object{};
  return caps;
}

RpcError AuthRefusal(const authn::AuthFailure& failure) {
  json::Object data = AuthFailureData(failure);
  if (authn::IsStoreUnavailable(failure)) {
    data["retryAfterSeconds"] = std::int64_t{1};
    return RpcError{kInternalError, "Service unavailable: " + failure.message, json::Value(std::move(data))};
  }
  return RpcError{kUnauthenticatedCode, "Unauthenticated: " + failure.message, json::Value(std::move(data))};
}

std::optional<RpcError> SessionOwnerRefusal(const Session* session, const authn::Principal* caller) {
  if (session == nullptr || session->owner.empty()) return std::nullopt;
  if (authn::PrincipalKey(caller) == session->owner) return std::nullopt;
  // The same answer whether the caller proved nothing or someone else: the session's owner is
  // not revealed.
  return RpcError{kUnauthenticatedCode, "Unauthenticated: this session belongs to another caller",
                  json::Value(json::Object{{"reason", "session_owner"}})};
}

std::optional<std::string> McpServer::SessionOwner(const authn::HttpInfo& http) const {
  const auto& check = session_authenticator_ ? session_authenticator_ : options_.authenticator;
  if (!check) return "";
  auto auth = check->Authenticate(json::Object{}, &http);
  if (std::holds_alternative<authn::AuthFailure>(auth)) return std::nullopt;
  const auto& p = std::get<std::optional<authn::Principal>>(auth);
  return authn::PrincipalKey(p ? &*p : nullptr);
}

std::optional<json::Object> McpServer::Handle(const Message& message, CallContext& ctx) {
  if (const auto* n = std::get_if<Notification>(&message)) {
    if (n->method == "notifications/initialized" && ctx.session != nullptr) ctx.session->initialized = true;
    if (n->method == "notifications/cancelled") Cancel(n->params, ctx);
    return std::nullopt;
  }
  const auto* r = std::get_if<Request>(&message);
  if (r == nullptr) return std::nullopt;  // Responses to requests we never send are ignored.

  RequestInfo info;
  info.method = r->method;
  if (const json::Object* meta = RequestMeta(r->params)) info.meta = *meta;
  if (auto v = ModernVersionOf(r->params)) {
    info.modern = true;
    info.protocol_version = *v;
    if (auto bad = ValidateModernMeta(r->params)) {
      return json::Object{{"jsonrpc", "2.0"}, {"id", r->id}, {"error", std::move(*bad)}};
    }
  } else {
    info.protocol_version = ctx.session != nullptr && !ctx.session->protocol_version.empty() ? ctx.session->protocol_version
                                                                                             : std::string(kLatestLegacyVersion);
  }

  bool handshake = r->method == "initialize" || r->method == "server/discover" || r->method == "ping";
  if (r->method == "initialize" && ctx.session != nullptr) {
    // The session belongs to whoever proves itself on initialize; an anonymous one to whoever
    // holds its id. A credential that does not verify makes it anonymous, no more: the
    // handshake itself stays open to all, as before, and each later request is checked anew.
    const auto& check = session_authenticator_ ? session_authenticator_ : options_.authenticator;
    if (check) {
      auto auth = check->Authenticate(ToJson(*r), ctx.http);
      const auto* p = std::get_if<std::optional<authn::Principal>>(&auth);
      ctx.session->owner = p != nullptr && p->has_value() ? authn::PrincipalKey(&**p) : "";
    }
  }
  if (options_.authenticator && options_.auth_mode != AuthMode::kOff && !handshake) {
    auto auth = options_.authenticator->Authenticate(ToJson(*r), ctx.http);
    if (auto* failure = std::get_if<authn::AuthFailure>(&auth)) return ToJson(ErrorResponse{r->id, AuthRefusal(*failure)});
    info.principal = std::get<std::optional<authn::Principal>>(auth);
    if (auto refused = SessionOwnerRefusal(ctx.session, info.principal ? &*info.principal : nullptr)) {
      return ToJson(ErrorResponse{r->id, std::move(*refused)});
    }
    if (!info.principal && options_.auth_mode == AuthMode::kRequired) {
      return MakeError(r->id, kUnauthenticatedCode, "Unauthenticated: this server requires a signed request",
                       json::Object{{"reason", "missing_proof"}});
    }
  }

  Outcome outcome = Dispatch(*r, info, ctx);
  if (auto* err = std::get_if<RpcError>(&outcome)) return ToJson(ErrorResponse{r->id, std::move(*err)});
  json::Value& result = std::get<json::Value>(outcome);
  if (options_.definition_signer && result.is_object()) {
    if (Status signed_ok = SignDefinitions(r->method, result.as_object()); !signed_ok.ok()) {
      return MakeError(r->id, kInternalError, "Internal error: cannot sign the definitions", std::nullopt);
    }
  }
  if (info.modern && result.is_object()) {
    json::Object& o = result.as_object();
    if (!o.contains("resultType")) o["resultType"] = "complete";
    json::Object meta;
    if (const json::Value* m = o.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
    meta[kMetaServerInfo] = info_.ToJson();
    o["_meta"] = std::move(meta);
  }
  if (options_.result_signer && result.is_object()) options_.result_signer->Sign(ToJson(*r), result.as_object());
  return MakeResult(r->id, std::move(result));
}

Status McpServer::SignDefinitions(const std::string& method, json::Object& result) {
  std::string_view kind = method == "tools/list"                 ? "tools"
                          : method == "prompts/list"             ? "prompts"
                          : method == "resources/templates/list" ? "resourceTemplates"
                                                                 : "";
  if (kind.empty()) return OkStatus();
  json::Value* items = result.if_contains(kind);
  if (items == nullptr || !items->is_array()) return OkStatus();
  json::Object meta;
  if (const json::Value* m = result.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
  AIP_RETURN_IF_ERROR(options_.definition_signer->Sign(kind, items->as_array(), meta));
  result["_meta"] = std::move(meta);
  return OkStatus();
}

McpServer::Outcome McpServer::Dispatch(const Request& r, const RequestInfo& info, CallContext& ctx) {
  const std::string& m = r.method;
  if (m == "initialize") {
    if (info.modern) return Rpc(kInvalidRequest, "initialize is not part of protocol " + info.protocol_version);
    return Initialize(r, ctx);
  }
  if (m == "server/discover") return Discover();
  if (m == "ping") return json::Value(json::Object{});
  if (options_.router &&
      (m.starts_with("tools/") || m.starts_with("resources/") || m.starts_with("prompts/") || m == "completion/complete")) {
    // A legacy client's notifications/cancelled for this id reaches the routed call too.
    // (Sessionless requests have no such notification to receive: ids need not be unique.)
    if (ctx.session == nullptr) return options_.router->Route(r, info, ctx);
    if (!ctx.cancelled) ctx.cancelled = std::make_shared<Cancellation>();
    InFlight registered(*this, IdKey(ctx.session, r.id), ctx.cancelled);
    return options_.router->Route(r, info, ctx);
  }
  if (m == "tools/list") return ListTools(r.params);
  if (m == "tools/call") return CallTool(r, info, ctx);
  if (m == "resources/list") return ListResources(r.params);
  if (m == "resources/templates/list") return ListTemplates(r.params);
  if (m == "resources/read") return ReadResource(r.params, info);
  if (m == "prompts/list") return ListPrompts(r.params);
  if (m == "prompts/get") return GetPrompt(r, info, ctx);
  if (m == "completion/complete") return Complete(r.params);
  if (m == "logging/setLevel") {
    auto level = ReadLogLevel(r.params);
    if (!level) return InvalidParams(level.error());
    if (LogRank(*level) < 0) return Rpc(kInvalidParams, "Invalid params: unknown log level");
    if (ctx.session != nullptr) ctx.session->log_level = *level;
    return json::Value(json::Object{});
  }
  return Rpc(kMethodNotFound, "Method not found: " + m);
}

McpServer::Outcome McpServer::Initialize(const Request& r, CallContext& ctx) {
  auto read = ReadInitialize(r.params);
  if (!read) return InvalidParams(read.error());
  std::string version = NegotiateLegacyVersion(read->protocol_version);
  if (ctx.session != nullptr) {
    ctx.session->protocol_version = version;
    if (const json::Object* caps = read->capabilities) {
      if (json::Serialize(*caps).size() > kMaxSessionCapabilityBytes) {
        return Rpc(kInvalidParams, "Invalid params: capabilities larger than " + std::to_string(kMaxSessionCapabilityBytes) + " bytes");
      }
      ctx.session->client_capabilities = *caps;
    }
  }
  json::Object result{{"protocolVersion", version}, {"capabilities", Capabilities()}, {"serverInfo", info_.ToJson()}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return json::Value(std::move(result));
}

McpServer::Outcome McpServer::Discover() {
  json::Array versions;
  for (const auto& v : ModernVersions()) versions.emplace_back(v);
  for (const auto& v : LegacyVersions()) versions.emplace_back(v);
  json::Object result{{"supportedVersions", std::move(versions)},
                      {"capabilities", Capabilities()},
                      {"ttlMs", options_.list_ttl_ms},
                      {"cacheScope", "public"},
                      {"_meta", json::Object{{kMetaServerInfo, info_.ToJson()}}}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return json::Value(std::move(result));
}

McpServer::Outcome McpServer::ListTools(const json::Object& params) {
  return Page(params, tools_.size(), options_.page_size, "tools", options_.list_ttl_ms, [&](std::size_t i) {
    const ToolDef& t = tools_[i];
    json::Object o{{"name", t.name}, {"inputSchema", t.input_schema}};
    if (!t.title.empty()) o["title"] = t.title;
    if (!t.description.empty()) o["description"] = t.description;
    if (t.output_schema) o["outputSchema"] = *t.output_schema;
    if (!t.annotations.empty()) o["annotations"] = t.annotations;
    return o;
  });
}

std::variant<std::unique_ptr<HandlerContext>, RpcError> McpServer::MakeContext(const Request& r, const RequestInfo& info, CallContext& ctx,
                                                                               const std::string& binding,
                                                                               std::shared_ptr<Cancellation> cancelled) {
  std::string state;
  json::Object responses;
  if (info.modern) {
    auto continued = ReadContinuation(r.params);
    if (!continued) return InvalidParams(continued.error());
    if (continued->request_state) {
      auto opened = sealer_.Open(*continued->request_state, binding, DefaultClock().Now());
      if (!opened) return Rpc(kInvalidParams, "Invalid params: " + opened.error().message);
      state = std::move(*opened);
    }
    if (continued->input_responses != nullptr) responses = *continued->input_responses;
  }
  std::string level = info.modern ? "" : (ctx.session != nullptr ? ctx.session->log_level : "info");
  if (const json::Value* l = info.meta.if_contains(kMetaLogLevel); l != nullptr && l->is_string()) {
    level = std::string(l->get_string());
  }
  json::Object caps;
  if (info.modern) {
    if (const json::Value* c = info.meta.if_contains(kMetaClientCapabilities); c != nullptr && c->is_object()) {
      caps = c->get_object();
    }
  } else if (ctx.session != nullptr) {
    caps = ctx.session->client_capabilities;
  }
  return std::make_unique<HandlerContext>(info, ctx.notify, std::move(cancelled), std::move(level), std::move(caps), std::move(responses),
                                          std::move(state));
}

std::optional<McpServer::Outcome> McpServer::Interrupted(const HandlerContext& hctx, const RequestInfo& info, const std::string& binding) {
  if (hctx.missing_capability()) {
    return Outcome(Rpc(kMissingRequiredClientCapability, "Missing required client capability: " + *hctx.missing_capability(),
                       json::Object{{"requiredCapabilities", json::Object{{*hctx.missing_capability(), json::Object{}}}}}));
  }
  if (!hctx.input_required()) return std::nullopt;
  if (!info.modern) {
    return Outcome(
        Rpc(kInvalidRequest, "This request needs client input, which protocol " + info.protocol_version + " cannot carry; use 2026-07-28"));
  }
  json::Object result{{"resultType", "input_required"}, {"inputRequests", hctx.input_required()->input_requests}};
  result["requestState"] = sealer_.Seal(binding, hctx.input_required()->state, DefaultClock().Now());
  return Outcome(json::Value(std::move(result)));
}

McpServer::Outcome McpServer::CallTool(const Request& r, const RequestInfo& info, CallContext& ctx) {
  auto call = ReadNamedCall(r.params);
  if (!call) return InvalidParams(call.error());
  const std::string* name = &call->name;
  std::size_t index = tools_.size();
  for (std::size_t i = 0; i < tools_.size(); ++i) {
    if (tools_[i].name == *name) index = i;
  }
  if (index == tools_.size()) return Rpc(kInvalidParams, "Unknown tool: " + *name);
  if (ctx.missing_param_headers) return Rpc(kHeaderMismatch, "Header mismatch: " + *ctx.missing_param_headers);
  json::Value args = call->arguments != nullptr ? json::Value(*call->arguments) : json::Value(json::Object{});
  ToolResult out;
  if (Status valid = tool_schemas_[index].Validate(args); !valid.ok()) {
    out = ToolResult::Error("Invalid arguments for tool " + *name + ": " + valid.message());
  } else {
    std::string binding = Binding("tools/call", *name, args, info);
    auto flag = ctx.cancelled ? ctx.cancelled : std::make_shared<Cancellation>();
    auto made = MakeContext(r, info, ctx, binding, flag);
    if (auto* err = std::get_if<RpcError>(&made)) return std::move(*err);
    HandlerContext& hctx = *std::get<std::unique_ptr<HandlerContext>>(made);
    Result<ToolResult> res = [&] {
      InFlight registered(*this, IdKey(ctx.session, r.id), flag);
      return tools_[index].handler(args.get_object(), hctx);
    }();
    if (auto interrupted = Interrupted(hctx, info, binding)) return std::move(*interrupted);
    out = res ? std::move(*res) : ToolResult::Error(res.error().message);
  }
  json::Object result{{"content", std::move(out.content)}};
  if (out.structured) result["structuredContent"] = *out.structured;
  if (out.is_error) result["isError"] = true;
  return json::Value(std::move(result));
}

McpServer::Outcome McpServer::ListResources(const json::Object& params) {
  std::vector<ResourceDef> all;
  for (const auto& [r, read] : resources_) all.push_back(r);
  for (const auto& [t, parsed] : templates_) {
    if (t.list) {
      for (auto& r : t.list()) all.push_back(std::move(r));
    }
  }
  return Page(params, all.size(), options_.page_size, "resources", options_.list_ttl_ms, [&](std::size_t i) {
    const ResourceDef& r = all[i];
    json::Object o{{"uri", r.uri}, {"name", r.name}};
    if (!r.title.empty()) o["title"] = r.title;
    if (!r.description.empty()) o["description"] = r.description;
    if (!r.mime_type.empty()) o["mimeType"] = r.mime_type;
    return o;
  });
}

McpServer::Outcome McpServer::ListTemplates(const json::Object& params) {
  return Page(params, templates_.size(), options_.page_size, "resourceTemplates", options_.list_ttl_ms, [&](std::size_t i) {
    const ResourceTemplateDef& t = templates_[i].first;
    json::Object o{{"uriTemplate", t.uri_template}, {"name", t.name}};
    if (!t.title.empty()) o["title"] = t.title;
    if (!t.description.empty()) o["description"] = t.description;
    if (!t.mime_type.empty()) o["mimeType"] = t.mime_type;
    return o;
  });
}

McpServer::Outcome McpServer::ReadResource(const json::Object& params, const RequestInfo& info) {
  auto uri = ReadUri(params);
  if (!uri) return InvalidParams(uri.error());
  // 2025-11-25 used -32002 for an unknown resource; from 2026-07-28 (SEP-2164) it is -32602.
  RpcError not_found = Rpc(info.modern ? kInvalidParams : -32002, "Resource not found", json::Object{{"uri", *uri}});
  Result<json::Array> contents = NotFoundError("");
  bool matched = false;
  for (const auto& [r, read] : resources_) {
    if (r.uri == *uri) {
      contents = read(*uri, {});
      matched = true;
      break;
    }
  }
  for (std::size_t i = 0; !matched && i < templates_.size(); ++i) {
    if (auto vars = templates_[i].second.Match(*uri)) {
      contents = templates_[i].first.read(*uri, *vars);
      matched = true;
    }
  }
  if (!matched || (!contents && contents.error().code == ErrorCode::kNotFound)) return not_found;
  if (!contents) return Rpc(kInternalError, "Internal error reading resource");
  return json::Value(json::Object{{"contents", std::move(*contents)}, {"ttlMs", options_.list_ttl_ms}, {"cacheScope", "public"}});
}

McpServer::Outcome McpServer::ListPrompts(const json::Object& params) {
  return Page(params, prompts_.size(), options_.page_size, "prompts", options_.list_ttl_ms, [&](std::size_t i) {
    const PromptDef& p = prompts_[i];
    json::Array args;
    for (const auto& a : p.arguments) {
      json::Object ao{{"name", a.name}, {"required", a.required}};
      if (!a.description.empty()) ao["description"] = a.description;
      args.emplace_back(std::move(ao));
    }
    json::Object o{{"name", p.name}, {"arguments", std::move(args)}};
    if (!p.title.empty()) o["title"] = p.title;
    if (!p.description.empty()) o["description"] = p.description;
    return o;
  });
}

McpServer::Outcome McpServer::GetPrompt(const Request& r, const RequestInfo& info, CallContext& ctx) {
  const json::Object& params = r.params;
  auto call = ReadNamedCall(params);
  if (!call) return InvalidParams(call.error());
  const std::string* name = &call->name;
  auto it = std::find_if(prompts_.begin(), prompts_.end(), [&](const PromptDef& p) { return p.name == *name; });
  if (it == prompts_.end()) return Rpc(kInvalidParams, "Unknown prompt: " + *name);
  std::map<std::string, std::string> args;
  json::Value arg_value = json::Object{};
  if (const json::Object* a = call->arguments) {
    for (const auto& kv : *a) {
      if (!kv.value().is_string()) return Rpc(kInvalidParams, "Invalid params: prompt arguments must be strings");
      args[std::string(kv.key())] = std::string(kv.value().get_string());
    }
    arg_value = *a;
  }
  for (const auto& a : it->arguments) {
    if (a.required && !args.contains(a.name)) return Rpc(kInvalidParams, "Invalid params: missing required argument " + a.name);
  }
  std::string binding = Binding("prompts/get", *name, arg_value, info);
  auto made = MakeContext(r, info, ctx, binding, ctx.cancelled);
  if (auto* err = std::get_if<RpcError>(&made)) return std::move(*err);
  HandlerContext& hctx = *std::get<std::unique_ptr<HandlerContext>>(made);
  auto result = it->get(args, hctx);
  if (auto interrupted = Interrupted(hctx, info, binding)) return std::move(*interrupted);
  if (!result) return Rpc(kInvalidParams, "Invalid params: " + result.error().message);
  return json::Value(std::move(*result));
}

McpServer::Outcome McpServer::Complete(const json::Object& params) {
  auto ref = ReadCompletion(params);
  if (!ref) return InvalidParams(ref.error());
  std::vector<std::string> values;
  if (ref->type == "ref/prompt") {
    auto it = std::find_if(prompts_.begin(), prompts_.end(), [&](const PromptDef& p) { return p.name == ref->name; });
    if (it == prompts_.end()) return Rpc(kInvalidParams, "Unknown prompt: " + ref->name);
    if (it->complete) values = it->complete(ref->argument_name, ref->argument_value);
  } else {
    auto it = std::find_if(templates_.begin(), templates_.end(), [&](const auto& t) { return t.first.uri_template == ref->uri; });
    if (it == templates_.end()) return Rpc(kInvalidParams, "Unknown resource template: " + ref->uri);
    if (it->first.complete) values = it->first.complete(ref->argument_name, ref->argument_value);
  }
  bool more = values.size() > 100;
  std::size_t total = values.size();
  if (more) values.resize(100);
  json::Array arr;
  for (auto& v : values) arr.emplace_back(std::move(v));
  return json::Value(json::Object{{"completion", json::Object{{"values", std::move(arr)}, {"total", total}, {"hasMore", more}}}});
}

void McpServer::Cancel(const json::Object& params, CallContext& ctx) {
  const json::Value* id = params.if_contains("requestId");
  if (id == nullptr) return;
  std::lock_guard lock(inflight_mu_);
  auto it = inflight_.find(IdKey(ctx.session, *id));
  if (it != inflight_.end()) it->second->Cancel();
}

}  // namespace aip::mcp
