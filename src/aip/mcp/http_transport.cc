#include "aip/mcp/http_transport.h"

#include <algorithm>

#include "aip/base/ascii.h"
#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/mcp/request_params.h"
#include "aip/net/sse.h"

namespace aip::mcp {
namespace {

// IsHeaderToken: only base64url-like characters, so a value can go into a header as it is.
bool IsHeaderToken(std::string_view v) {
  return !v.empty() && v.size() <= 256 && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~';
  });
}

bool IsLoopbackName(std::string_view host) { return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]"; }

// HostName strips the port from a Host header or URL authority.
std::string HostName(std::string_view authority) {
  if (!authority.empty() && authority[0] == '[') {
    return std::string(authority.substr(0, authority.find(']') + 1));
  }
  return std::string(authority.substr(0, authority.rfind(':')));
}

net::HttpResponse RpcErrorResponse(int status, const json::Value& id, int code, const std::string& message,
                                   std::optional<json::Value> data = std::nullopt) {
  return JsonHttpResponse(status, MakeError(id, code, message, std::move(data)));
}

bool Accepts(const net::HttpRequest& req, std::string_view type) {
  auto accept = req.headers.Get("accept");
  if (!accept) return true;
  std::string a = AsciiLower(*accept);
  return a.find(type) != std::string::npos || a.find("*/*") != std::string::npos;
}

// ParamString renders an argument the way a client mirrors it into an Mcp-Param-* header.
std::optional<std::string> ParamString(const json::Value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64() || v.is_uint64() || v.is_double()) return json::Serialize(v);
  return std::nullopt;
}

// HeaderProblem is why the routing headers do not repeat the body. A missing Mcp-Param header
// alone is judged later, once the caller is known (CallContext::missing_param_headers).
struct HeaderProblem {
  std::string message;
  bool only_missing_params = false;
};

// CheckRoutingHeaders enforces SEP-2243: the routing headers must repeat the body exactly.
std::optional<HeaderProblem> CheckRoutingHeaders(const net::HttpRequest& req, const Request& r, const McpServer& server,
                                                 const std::string& version) {
  auto pv = req.headers.Get("mcp-protocol-version");
  if (!pv || *pv != version) return HeaderProblem{"MCP-Protocol-Version header does not match the request body"};
  auto method = req.headers.Get("mcp-method");
  if (!method || *method != r.method) return HeaderProblem{"Mcp-Method header does not match the request body"};
  auto call = r.method == "tools/call" || r.method == "prompts/get" ? ReadNamedCall(r.params) : Result<NamedCall>(NamedCall{});
  if (r.method == "tools/call" || r.method == "prompts/get" || r.method == "resources/read") {
    auto target = r.method == "resources/read" ? ReadUri(r.params)
                  : call                       ? Result<std::string>(call->name)
                                               : Result<std::string>(call.error());
    auto name = req.headers.Get("mcp-name");
    if (!target || !name) return HeaderProblem{"Mcp-Name header does not match the request body"};
    auto decoded = DecodeHeaderValue(*name);
    if (!decoded || *decoded != *target) return HeaderProblem{"Mcp-Name header does not match the request body"};
  }
  if (r.method != "tools/call") return std::nullopt;
  // Mcp-Param-{Name} mirrors arguments whose schema property says "x-mcp-header": "{Name}".
  std::optional<json::Value> schema;
  if (call) schema = server.ToolInputSchema(call->name);
  const json::Object* args = call ? call->arguments : nullptr;
  std::map<std::string, std::string> expected;  // lowercase header name → value
  if (schema && schema->is_object()) {
    const json::Value* props = schema->get_object().if_contains("properties");
    if (props != nullptr && props->is_object()) {
      for (const auto& kv : props->get_object()) {
        const json::Value* h = kv.value().is_object() ? kv.value().get_object().if_contains("x-mcp-header") : nullptr;
        if (h == nullptr || !h->is_string()) continue;
        const json::Value* arg = args != nullptr ? args->if_contains(kv.key()) : nullptr;
        if (arg == nullptr || arg->is_null()) continue;
        auto s = ParamString(*arg);
        if (s) expected["mcp-param-" + AsciiLower(h->get_string())] = *s;
      }
    }
  }
  for (const auto& [hname, hvalue] : req.headers.fields()) {
    if (!hname.starts_with("mcp-param-")) continue;
    auto it = expected.find(hname);
    auto decoded = DecodeHeaderValue(hvalue);
    if (it == expected.end() || !decoded || *decoded != it->second) {
      return HeaderProblem{"Mcp-Param header does not match the request body"};
    }
    expected.erase(it);
  }
  if (!expected.empty()) return HeaderProblem{"Mcp-Param header missing for an annotated argument", true};
  return std::nullopt;
}

}  // namespace

net::HttpResponse JsonHttpResponse(int status, const json::Value& body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", "application/json");
  r.body = json::Serialize(body);
  return r;
}

Result<std::string> DecodeHeaderValue(std::string_view value) {
  if (value.starts_with("=?base64?") && value.ends_with("?=") && value.size() >= 11) {
    AIP_ASSIGN_OR_RETURN(Bytes raw, Base64Decode(value.substr(9, value.size() - 11)));
    return ToString(raw);
  }
  return std::string(value);
}

std::optional<net::HttpResponse> HostOrOriginRefusal(const net::HttpRequest& req, const std::vector<std::string>& allowed_hosts,
                                                     const std::vector<std::string>& allowed_origins) {
  // DNS rebinding: a browser page on an attacker's name must not reach a local server.
  std::string host = AsciiLower(HostName(req.headers.Get("host").value_or("")));
  bool host_ok = IsLoopbackName(host) || std::find(allowed_hosts.begin(), allowed_hosts.end(), host) != allowed_hosts.end();
  if (!host_ok || req.headers.Count("host") != 1) return RpcErrorResponse(403, nullptr, kInvalidRequest, "Forbidden: Host not allowed");
  if (auto origin = req.headers.Get("origin")) {
    auto url = net::ParseUrl(*origin);
    bool ok =
        (url && IsLoopbackName(url->host)) || std::find(allowed_origins.begin(), allowed_origins.end(), *origin) != allowed_origins.end();
    if (!ok) return RpcErrorResponse(403, nullptr, kInvalidRequest, "Forbidden: Origin not allowed");
  }
  return std::nullopt;
}

StreamableHttpTransport::StreamableHttpTransport(McpServer& server, StreamableHttpOptions options)
    : server_(server), options_(std::move(options)) {}

std::size_t StreamableHttpTransport::session_count() {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void StreamableHttpTransport::Handle(const net::HttpRequest& req, net::Exchange& ex) {
  if (auto refusal = HostOrOriginRefusal(req, options_.allowed_hosts, options_.allowed_origins)) {
    ex.Respond(std::move(*refusal));
    return;
  }
  if (req.Path() != options_.path) {
    net::HttpResponse r;
    r.status = 404;
    r.body = "not found\n";
    ex.Respond(std::move(r));
    return;
  }
  if (req.method == "POST") return HandlePost(req, ex);
  if (req.method == "GET") return HandleGet(req, ex);
  if (req.method == "DELETE") return HandleDelete(req, ex);
  net::HttpResponse r;
  r.status = 405;
  r.headers.Set("allow", "GET, POST, DELETE");
  ex.Respond(std::move(r));
}

namespace {

// EndedKey is what the ended-session list keeps of a sealed id (up to 8 KB): 32 bytes.
std::string EndedKey(std::string_view id) {
  crypto::Sha256Digest d = crypto::Sha256(AsBytes(id));
  return std::string(d.begin(), d.end());
}

// Whose share a session counts against: its owner, or its address when anonymous.
std::string CallerKey(const Session& s) { return s.owner.empty() ? "address " + s.remote_address : "principal " + s.owner; }

}  // namespace

std::shared_ptr<Session> StreamableHttpTransport::FindSession(const net::HttpRequest& req, net::Exchange& ex) {
  auto id = req.headers.Get("mcp-session-id");
  if (!id) {
    ex.Respond(RpcErrorResponse(400, nullptr, kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"));
    return nullptr;
  }
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(std::string(*id));
    if (it != sessions_.end() && now - it->second->last_used > options_.session_idle_timeout) {
      EraseLocked(it->first);  // Idle too long: gone, as if deleted.
      it = sessions_.end();
    }
    if (it != sessions_.end()) {
      it->second->last_used = now;
      return it->second;
    }
  }
  auto reopened = Reopen(*id, req);
  if (!reopened) {
    ex.Respond(RpcErrorResponse(404, nullptr, kInvalidRequest, "Session not found"));
    return nullptr;
  }
  if (auto refusal = AdmitSession(reopened)) {
    net::HttpResponse busy = RpcErrorResponse(503, nullptr, kInternalError, *refusal);
    busy.headers.Set("retry-after", "60");
    ex.Respond(std::move(busy));
    return nullptr;
  }
  return reopened;
}

std::shared_ptr<Session> StreamableHttpTransport::Reopen(std::string_view id, const net::HttpRequest& req) {
  if (!options_.session_sealer) return nullptr;
  {
    std::lock_guard lock(mu_);
    if (ended_.contains(EndedKey(id))) return nullptr;
  }
  auto opened = options_.session_sealer->Open(id);
  if (!opened) return nullptr;
  auto session = std::make_shared<Session>(std::move(*opened));
  session->remote_address = std::string(req.remote_address);
  return session;
}

void StreamableHttpTransport::EraseLocked(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  std::string key = CallerKey(*it->second);
  if (auto c = sessions_per_caller_.find(key); c != sessions_per_caller_.end() && --c->second == 0) sessions_per_caller_.erase(c);
  if (it->second->owner.empty()) --anonymous_sessions_;
  sessions_.erase(it);
}

void StreamableHttpTransport::SweepLocked(std::chrono::steady_clock::time_point now) {
  last_sweep_ = now;
  std::vector<std::string> idle;
  for (const auto& [id, s] : sessions_) {
    if (now - s->last_used > options_.session_idle_timeout) idle.push_back(id);
  }
  for (const auto& id : idle) EraseLocked(id);
  std::erase_if(ended_, [&](const auto& e) { return e.second < now; });
}

std::optional<std::string> StreamableHttpTransport::AdmitSession(std::shared_ptr<Session> session) {
  auto now = std::chrono::steady_clock::now();
  session->last_used = now;
  std::string key = CallerKey(*session);
  bool anonymous = session->owner.empty();
  std::lock_guard lock(mu_);
  // A sealed session two requests reopened at once is kept once.
  if (sessions_.contains(session->id)) return std::nullopt;
  auto full = [&] {
    std::size_t held = sessions_per_caller_.count(key) ? sessions_per_caller_.at(key) : 0;
    if (held >= options_.max_sessions_per_caller) return "Too many sessions for this caller";
    // Anonymous sessions share half the capacity: however many there are, the other half stays
    // for callers who proved who they are.
    if (anonymous && anonymous_sessions_ >= options_.max_sessions / 2) return "Too many anonymous sessions";
    if (sessions_.size() >= options_.max_sessions) return "Too many sessions";
    return "";
  };
  std::string refusal = full();
  if (!refusal.empty() || now - last_sweep_ > std::chrono::seconds(1)) {
    SweepLocked(now);  // At most once a second, or when idle sessions may make room.
    refusal = full();
  }
  if (!refusal.empty()) return refusal;
  ++sessions_per_caller_[key];
  if (anonymous) ++anonymous_sessions_;
  sessions_[session->id] = std::move(session);
  return std::nullopt;
}

void StreamableHttpTransport::HandlePost(const net::HttpRequest& req, net::Exchange& ex) {
  auto ctype = req.headers.Get("content-type");
  if (!ctype || !AsciiLower(*ctype).starts_with("application/json")) {
    ex.Respond(RpcErrorResponse(415, nullptr, kInvalidRequest, "Unsupported Media Type: use application/json"));
    return;
  }
  if (!Accepts(req, "application/json") && !Accepts(req, "text/event-stream")) {
    ex.Respond(RpcErrorResponse(406, nullptr, kInvalidRequest, "Not Acceptable: accept application/json"));
    return;
  }
  auto parsed = ParseMessage(req.body, req.body.size() + 1);
  if (auto* err = std::get_if<ErrorResponse>(&parsed)) {
    ex.Respond(JsonHttpResponse(400, ToJson(*err)));
    return;
  }
  Message& msg = std::get<Message>(parsed);
  const Request* r = std::get_if<Request>(&msg);
  if (r == nullptr) {
    // Notifications and responses: accepted with no body. Legacy ones name their session.
    std::shared_ptr<Session> session;
    if (req.headers.Get("mcp-session-id")) {
      session = FindSession(req, ex);
      if (!session) return;
    }
    CallContext ctx;
    ctx.session = session.get();
    server_.Handle(msg, ctx);
    net::HttpResponse accepted;
    accepted.status = 202;
    ex.Respond(std::move(accepted));
    return;
  }

  std::shared_ptr<Session> session;
  std::optional<std::string> missing_param_headers;
  bool opening = false;  // This request is the initialize that opens `session`.
  net::Headers extra;
  auto header_version = req.headers.Get("mcp-protocol-version");
  std::optional<std::string> body_version = ModernVersionOf(r->params);
  if (body_version || (header_version && !IsLegacyVersion(*header_version))) {
    // Modern (stateless) request. Order matters: a body without its version is invalid params,
    // then the headers must repeat the body, then the version must be one we speak.
    if (!body_version) {
      ex.Respond(RpcErrorResponse(400, r->id, kInvalidParams, "Invalid params: _meta must carry io.modelcontextprotocol/protocolVersion"));
      return;
    }
    if (auto problem = CheckRoutingHeaders(req, *r, server_, *body_version)) {
      if (!problem->only_missing_params) {
        ex.Respond(RpcErrorResponse(400, r->id, kHeaderMismatch, "Header mismatch: " + problem->message));
        return;
      }
      missing_param_headers = std::move(problem->message);  // Refused after authorization (CallContext).
    }
    if (auto bad = ValidateModernMeta(r->params)) {
      ex.Respond(JsonHttpResponse(400, json::Object{{"jsonrpc", "2.0"}, {"id", r->id}, {"error", std::move(*bad)}}));
      return;
    }
    if (!McpServer::IsKnownMethod(r->method) || r->method == "initialize" || r->method == "ping" || r->method == "logging/setLevel") {
      ex.Respond(RpcErrorResponse(404, r->id, kMethodNotFound, "Method not found: " + r->method));
      return;
    }
  } else {
    if (r->method == "initialize") {
      // Kept only once initialize succeeded (AdmitSession, below): a refused handshake holds nothing.
      session = std::make_shared<Session>();
      session->id = crypto::RandomId(24);  // 192 bits, base64url: visible ASCII.
      session->remote_address = std::string(req.remote_address);
      opening = true;
    } else if (r->method != "server/discover") {
      session = FindSession(req, ex);
      if (!session) return;
    }
  }

  // The response starts as plain JSON and becomes an SSE stream at the first notification the
  // handler emits (progress, logs), if the client accepts one: cheap for the common case, and
  // streaming whenever there is something to stream.
  bool client_takes_sse = req.headers.Get("accept").value_or("").find("text/event-stream") != std::string_view::npos;
  net::ResponseStream* sse = nullptr;
  CallContext ctx;
  ctx.session = session.get();
  // The server signals when the client closes the connection while the request runs.
  ctx.cancelled = req.cancellation ? req.cancellation : std::make_shared<Cancellation>();
  // The target URI as the client addressed it; the Host header was validated above.
  authn::HttpInfo http{req.method,
                       options_.public_base.empty() ? "http://" + std::string(req.headers.Get("host").value_or("")) + req.target
                                                    : options_.public_base + req.target,
                       &req.headers, req.body, req.remote_address};
  ctx.http = &http;
  ctx.missing_param_headers = std::move(missing_param_headers);
  auto cancelled = ctx.cancelled;
  ctx.notify = [&, cancelled](json::Object note) {
    if (!client_takes_sse) return;
    if (sse == nullptr) {
      net::Headers headers;
      headers.Set("content-type", "text/event-stream");
      headers.Set("cache-control", "no-cache");
      headers.Set("x-accel-buffering", "no");
      for (const auto& [n, v] : extra.fields()) headers.Set(n, v);
      sse = &ex.BeginStream(200, headers);
    }
    // The client leaving the stream is the cancellation signal (2026-07-28).
    if (!sse->Write(net::FormatSseEvent(json::Serialize(note), "message"))) cancelled->Cancel();
  };
  std::optional<json::Object> response = server_.Handle(msg, ctx);
  if (opening && response && !response->contains("error")) {
    // Sealed only now: initialize decided the session's version, capabilities and owner.
    if (options_.session_sealer) session->id = options_.session_sealer->Seal(*session);
    if (auto refusal = AdmitSession(session)) {
      net::HttpResponse busy = RpcErrorResponse(503, r->id, kInternalError, *refusal);
      busy.headers.Set("retry-after", "60");
      ex.Respond(std::move(busy));
      return;
    }
    extra.Set("mcp-session-id", session->id);
  }
  if (sse != nullptr) {
    if (response) sse->Write(net::FormatSseEvent(json::Serialize(*response), "message"));
    return;
  }
  net::HttpResponse out;
  out.headers.Set("content-type", "application/json");
  // A missing client capability is a 400 on HTTP (2026-07-28); a refused credential a 401, a
  // policy refusal a 403, a rate limit a 429 with Retry-After.
  if (response) {
    const json::Value* e = response->if_contains("error");
    const json::Value* code = e != nullptr && e->is_object() ? e->get_object().if_contains("code") : nullptr;
    if (code != nullptr && (*code == json::Value(kMissingRequiredClientCapability) || *code == json::Value(kHeaderMismatch))) {
      out.status = 400;
    }
    if (code != nullptr && *code == json::Value(kUnauthenticatedCode)) {
      out.status = 401;
      out.headers.Set("www-authenticate", options_.www_authenticate);
      const json::Value* data = e->get_object().if_contains("data");
      const json::Value* nonce = data != nullptr && data->is_object() ? data->get_object().if_contains("dpopNonce") : nullptr;
      if (nonce != nullptr && nonce->is_string() && IsHeaderToken(nonce->get_string())) {
        // RFC 9449 §9: say why, and hand over the nonce the next proof must carry.
        out.headers.Set("www-authenticate",
                        "DPoP error=\"use_dpop_nonce\", error_description=\"a server nonce is required\", " + options_.www_authenticate);
        out.headers.Set("dpop-nonce", std::string(nonce->get_string()));
      }
    }
    if (code != nullptr && *code == json::Value(kForbiddenCode)) {
      // A policy refusal is an answer, not a transport failure: 200 with the JSON-RPC error, so
      // any client shows its reason. Only a token short of a scope, where OAuth is configured,
      // is a 403 (RFC 6750 §3.1) naming the scopes that would do, so the client can step up.
      const json::Value* data = e->get_object().if_contains("data");
      const json::Value* scopes = data != nullptr && data->is_object() ? data->get_object().if_contains("requiredScopes") : nullptr;
      if (scopes != nullptr && scopes->is_array() && !resource_metadata_.empty()) {
        out.status = 403;
        std::string list;
        for (const auto& sc : scopes->get_array()) {
          // Scope tokens are printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3).
          if (!sc.is_string() || sc.get_string().empty() || sc.get_string().find_first_of(" \"\\") != std::string::npos) continue;
          list += (list.empty() ? "" : " ") + std::string(sc.get_string());
        }
        out.headers.Set("www-authenticate",
                        "Bearer error=\"insufficient_scope\", scope=\"" + list + "\", resource_metadata=\"" + resource_metadata_ + "\"");
      }
    }
    const json::Value* data = e != nullptr && e->is_object() ? e->get_object().if_contains("data") : nullptr;
    const json::Value* after = data != nullptr && data->is_object() ? data->get_object().if_contains("retryAfterSeconds") : nullptr;
    // A rate limit is a 429; a server that cannot make the check now (a store it needs is down)
    // a 503 — both with Retry-After.
    bool unavailable = code != nullptr && *code == json::Value(kInternalError) && after != nullptr;
    if ((code != nullptr && *code == json::Value(kRateLimitedCode)) || unavailable) {
      out.status = unavailable ? 503 : 429;
      out.headers.Set("retry-after", after != nullptr && after->is_int64() ? std::to_string(after->get_int64()) : "1");
    }
  }
  out.body = response ? json::Serialize(json::Value(std::move(*response))) : "null";
  for (const auto& [n, v] : extra.fields()) out.headers.Set(n, v);
  ex.Respond(std::move(out));
}

namespace {

// RefuseForModernEra answers 405 to a GET or DELETE that names the stateless 2026 protocol,
// which has only POST.
bool RefuseForModernEra(const net::HttpRequest& req, net::Exchange& ex) {
  auto pv = req.headers.Get("mcp-protocol-version");
  if (!pv || !IsModernVersion(*pv)) return false;
  net::HttpResponse r;
  r.status = 405;
  r.headers.Set("allow", "POST");
  ex.Respond(std::move(r));
  return true;
}

}  // namespace

void StreamableHttpTransport::HandleGet(const net::HttpRequest& req, net::Exchange& ex) {
  if (RefuseForModernEra(req, ex)) return;
  if (req.headers.Get("accept").value_or("").find("text/event-stream") == std::string_view::npos) {
    ex.Respond(RpcErrorResponse(406, nullptr, kInvalidRequest, "Not Acceptable: GET needs Accept: text/event-stream"));
    return;
  }
  if (!FindSession(req, ex)) return;
  net::Headers headers;
  headers.Set("content-type", "text/event-stream");
  headers.Set("cache-control", "no-cache");
  headers.Set("x-accel-buffering", "no");
  // This server sends no server-initiated messages; the stream stays open with comments so
  // clients and proxies see a live connection.
  ex.HoldOpen(200, headers, options_.sse_keepalive, ": keepalive\n\n");
}

void StreamableHttpTransport::HandleDelete(const net::HttpRequest& req, net::Exchange& ex) {
  if (RefuseForModernEra(req, ex)) return;
  auto session = FindSession(req, ex);
  if (!session) return;
  if (!session->owner.empty()) {
    // Only its owner ends an owned session, proving itself by a credential outside the body
    // (API key, bearer token, RFC 9421 signature). Anyone else is told it does not exist.
    authn::HttpInfo http{req.method,
                         options_.public_base.empty() ? "http://" + std::string(req.headers.Get("host").value_or("")) + req.target
                                                      : options_.public_base + req.target,
                         &req.headers, req.body, req.remote_address};
    if (server_.SessionOwner(http) != session->owner) {
      ex.Respond(RpcErrorResponse(404, nullptr, kInvalidRequest, "Session not found"));
      return;
    }
  }
  {
    std::lock_guard lock(mu_);
    EraseLocked(session->id);
    if (options_.session_sealer) {
      // The id stays valid on other instances until it expires; here it is refused from now on.
      if (ended_.size() >= options_.max_sessions) ended_.erase(ended_.begin());
      ended_[EndedKey(session->id)] = std::chrono::steady_clock::now() + options_.session_sealer->max_age();
    }
  }
  net::HttpResponse r;
  r.status = 200;
  ex.Respond(std::move(r));
}

}  // namespace aip::mcp
