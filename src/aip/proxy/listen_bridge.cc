#include "aip/proxy/listen_bridge.h"

#include <optional>

#include "aip/crypto/random.h"
#include "aip/mcp/http_transport.h"
#include "aip/mcp/jsonrpc.h"
#include "aip/net/busy_poll.h"
#include "aip/net/http_server.h"
#include "aip/net/sse.h"

namespace aip::proxy {
namespace {

// The local client's headers that describe the MCP message and go on to the remote. Its
// Authorization (the per-run token) and anything else stay here.
bool ForwardedRequestHeader(std::string_view name) {
  return name == "accept" || name == "content-type" || name == "mcp-session-id" || name == "mcp-protocol-version" || name == "mcp-method" ||
         name == "mcp-name" || name == "last-event-id" || name.starts_with("mcp-param-");
}

// The remote's headers the local client gets. Its WWW-Authenticate stays here: the proxy holds
// the credentials, and a challenge passed on would send the local client to sign in itself.
bool ForwardedResponseHeader(std::string_view name) {
  return name == "content-type" || name == "mcp-session-id" || name == "retry-after" || name == "cache-control";
}

net::HttpResponse JsonAnswer(int status, const json::Object& body) { return mcp::JsonHttpResponse(status, json::Value(body)); }

}  // namespace

std::string NewProxyToken() { return crypto::RandomId(32); }

ListenBridge::ListenBridge(RemoteEndpoint& remote, ListenBridgeOptions options) : remote_(remote), options_(std::move(options)) {
  std::string expected = "Bearer " + options_.token;
  expected_authorization_ = crypto::SecretBytes(AsBytes(expected));
}

ListenBridge::~ListenBridge() { Stop(); }

bool ListenBridge::OpenStream::Write(std::string_view data) {
  std::lock_guard lock(mu);
  if (out == nullptr) return false;
  if (out->Write(data)) return true;
  if (remote != nullptr) remote->Abort();  // The client left: stop relaying the remote's stream.
  return false;
}

void ListenBridge::KeepAlive() {
  std::unique_lock lock(streams_mu_);
  while (!stop_cv_.wait_for(lock, options_.keepalive, [&] { return stopping_; })) {
    auto open = streams_;
    lock.unlock();
    for (const auto& s : open) s->Write(": keepalive\n\n");
    lock.lock();
  }
}

void ListenBridge::EndSession(std::string_view session) {
  std::lock_guard lock(streams_mu_);
  for (const auto& s : streams_) {
    std::lock_guard w(s->mu);
    if (s->session == session && s->remote != nullptr) s->remote->Abort();
  }
}

Result<std::unique_ptr<ListenBridge>> ListenBridge::Start(RemoteEndpoint& remote, ListenBridgeOptions options) {
  if (options.token.size() < 32) return InvalidArgumentError("the proxy token must be at least 32 characters");
  std::unique_ptr<ListenBridge> bridge(new ListenBridge(remote, std::move(options)));
  net::HttpServerOptions hopts;
  hopts.address = bridge->options_.address;
  hopts.port = bridge->options_.port;
  hopts.threads = 1;
  hopts.handler_threads = bridge->options_.threads;
  // A local relay waits three times per call (for its handler, the remote's answer, the next
  // request); polling briefly instead of sleeping through each is what the gateway does too.
  if (bridge->options_.busy_poll.count() > 0) net::busy_poll::SetBudget(bridge->options_.busy_poll);
  ListenBridge* self = bridge.get();
  bridge->keepalive_ = std::thread([self] { self->KeepAlive(); });
  AIP_ASSIGN_OR_RETURN(bridge->server_,
                       net::HttpServer::Start(hopts, [self](const net::HttpRequest& r, net::Exchange& e) { self->Handle(r, e); }));
  return bridge;
}

std::string ListenBridge::url() const {
  std::string host = options_.address.find(':') != std::string::npos ? "[" + options_.address + "]" : options_.address;
  return "http://" + host + ":" + std::to_string(server_->port()) + "/mcp";
}

void ListenBridge::Wait() {
  if (server_) server_->Wait();
}

void ListenBridge::Stop() {
  {
    std::lock_guard lock(streams_mu_);
    stopping_ = true;
    for (const auto& s : streams_) {
      std::lock_guard w(s->mu);
      if (s->remote != nullptr) s->remote->Abort();
    }
  }
  stop_cv_.notify_all();
  if (server_) server_->Stop(std::chrono::seconds(2));
  if (keepalive_.joinable()) keepalive_.join();
}

std::optional<json::Object> ListenBridge::ScreenFirst(const json::Object& request, const net::Headers& headers) {
  DefinitionScreen& screen = *options_.screen;
  auto method = json::OptionalString(request, "method");
  if (!method || (*method != "tools/call" && *method != "prompts/get")) return std::nullopt;
  std::string kind = *method == "tools/call" ? "tools" : "prompts";
  if (!screen.Listed(kind)) {
    json::Object params;
    const json::Value* p = request.if_contains("params");
    if (p != nullptr && p->is_object() && p->get_object().contains("_meta")) params["_meta"] = p->get_object().at("_meta");
    json::Object list{{"jsonrpc", "2.0"}, {"id", "aip-proxy-list"}, {"method", kind + "/list"}, {"params", std::move(params)}};
    net::Headers h = headers;
    h.Set("mcp-method", kind + "/list");
    std::optional<json::Object> answer;
    Exchange exchange;
    auto sent = remote_.Send("POST", list, h, &exchange, [&answer](const net::SseEvent& e) {
      auto msg = json::ParseJsonObject(e.data, json::ParseLimits{e.data.size() + 1, 64});
      if (msg && msg->contains("result")) answer = std::move(*msg);
    });
    if (sent && !answer) {
      auto body = json::ParseJsonObject(sent->response.body, json::ParseLimits{sent->response.body.size() + 1, 64});
      if (body) answer = std::move(*body);
    }
    if (answer) screen.ScreenAnswer(kind + "/list", sent ? sent->request : list, *answer);
  }
  return screen.Refusal(request);
}

void ListenBridge::Handle(const net::HttpRequest& req, net::Exchange& ex) {
  if (auto refusal = mcp::HostOrOriginRefusal(req, {}, {})) {
    ex.Respond(std::move(*refusal));
    return;
  }
  std::string_view presented = req.headers.Count("authorization") == 1 ? *req.headers.Get("authorization") : "";
  if (!crypto::ConstantTimeEquals(AsBytes(presented), expected_authorization_.RevealSecret())) {
    net::HttpResponse r = JsonAnswer(
        401, mcp::MakeError(nullptr, mcp::kUnauthenticatedCode, "Unauthenticated: this proxy serves only the holder of its token",
                            json::Object{{"reason", "missing_credential"}}));
    r.headers.Set("www-authenticate", "Bearer realm=\"aip-proxy\"");
    ex.Respond(std::move(r));
    return;
  }
  if (req.Path() != "/mcp") {
    ex.Respond(JsonAnswer(404, mcp::MakeError(nullptr, mcp::kInvalidRequest, "Not Found: the endpoint is /mcp")));
    return;
  }
  if (req.method != "POST" && req.method != "GET" && req.method != "DELETE") {
    net::HttpResponse r = JsonAnswer(405, mcp::MakeError(nullptr, mcp::kInvalidRequest, "Method Not Allowed"));
    r.headers.Set("allow", "POST, GET, DELETE");
    ex.Respond(std::move(r));
    return;
  }
  std::optional<json::Object> message;
  json::Value id = nullptr;
  bool is_request = false;
  if (req.method == "POST") {
    auto parsed = mcp::ParseMessage(req.body, req.body.size() + 1);
    if (auto* err = std::get_if<mcp::ErrorResponse>(&parsed)) {
      ex.Respond(JsonAnswer(400, mcp::ToJson(*err)));
      return;
    }
    const mcp::Message& m = std::get<mcp::Message>(parsed);
    message = mcp::ToJson(m);
    if (const auto* r = std::get_if<mcp::Request>(&m)) {
      is_request = true;
      id = r->id;
    }
  }
  net::Headers headers;
  for (const auto& [n, v] : req.headers.fields()) {
    if (ForwardedRequestHeader(n)) headers.Add(n, v);
  }

  if (options_.screen && is_request) {
    if (auto refused = ScreenFirst(*message, headers)) {
      ex.Respond(JsonAnswer(200, *refused));
      return;
    }
  }
  std::string method = message ? std::string(json::OptionalString(*message, "method").value_or("")) : "";
  bool screened_list = options_.screen && is_request && (method == "tools/list" || method == "prompts/list");

  Exchange exchange;
  auto stream = std::make_shared<OpenStream>();
  stream->remote = &exchange;
  stream->session = std::string(req.headers.Get("mcp-session-id").value_or(""));
  if (req.method == "DELETE" && !stream->session.empty()) EndSession(stream->session);
  auto on_head = [&](int status, const net::Headers& h) {
    if (!h.Get("content-type").value_or("").starts_with("text/event-stream") || status >= 300) return;
    net::Headers out;
    for (const auto& [n, v] : h.fields()) {
      if (ForwardedResponseHeader(n)) out.Set(n, v);
    }
    out.Set("x-accel-buffering", "no");
    {
      std::lock_guard lock(stream->mu);
      stream->out = &ex.BeginStream(status, out);
    }
    std::lock_guard registry(streams_mu_);  // Never held with a stream's own lock taken first.
    streams_.push_back(stream);
  };
  auto on_event = [&](const net::SseEvent& e) {
    std::string data = e.data;
    auto msg = json::ParseJsonObject(e.data, json::ParseLimits{e.data.size() + 1, 64});
    if (msg && IsStrayResponse(*msg, is_request ? &id : nullptr)) {
      if (options_.log) options_.log("the remote sent a response to another request on a stream; dropped");
      return;
    }
    if (msg && is_request && (remote_.checks_results() || screened_list) && IsResponse(*msg)) {
      // The answer to this request (strays are gone): its signature must hold, and a listing
      // shows only what the pins allow.
      json::Object answer = remote_.CheckResult(exchange.request(), std::move(*msg));
      if (screened_list) options_.screen->ScreenAnswer(method, exchange.request(), answer);
      data = json::Serialize(json::Value(answer));
    }
    // The local client leaving its stream cancels: the remote's exchange is cut too.
    stream->Write(net::FormatSseEvent(data, e.event, e.id));
  };
  auto sent = remote_.Send(req.method, message, headers, &exchange, on_event, on_head);
  {
    std::lock_guard registry(streams_mu_);
    streams_.remove(stream);
  }
  bool streamed;
  {
    std::lock_guard lock(stream->mu);
    streamed = stream->out != nullptr;
    stream->out = nullptr;  // The stream ends with this handler; nothing may write to it after.
    stream->remote = nullptr;
  }
  if (streamed) return;  // Relayed as it came.
  if (!sent) {
    if (options_.log) options_.log("remote unreachable: " + sent.error().message);
    if (is_request) {
      // A JSON-RPC answer the client can show, rather than an HTTP failure it cannot explain.
      ex.Respond(JsonAnswer(
          200, ErrorMessage(id, mcp::kInternalError, "the remote is unreachable: " + sent.error().message, "remote_unavailable")));
    } else {
      ex.Respond(JsonAnswer(502, mcp::MakeError(nullptr, mcp::kInternalError, "the remote is unreachable")));
    }
    return;
  }
  net::HttpResponse out;
  out.status = sent->response.status;
  for (const auto& [n, v] : sent->response.headers.fields()) {
    if (ForwardedResponseHeader(n)) out.headers.Set(n, v);
  }
  out.body = std::move(sent->response.body);
  if (is_request && (remote_.checks_results() || screened_list) && out.status == 200) {
    auto body = json::ParseJsonObject(out.body, json::ParseLimits{out.body.size() + 1, 64});
    if (body) {
      json::Object answer = remote_.CheckResult(sent->request, std::move(*body));
      if (screened_list) options_.screen->ScreenAnswer(method, sent->request, answer);
      out.body = json::Serialize(json::Value(answer));
    }
  }
  ex.Respond(std::move(out));
}

}  // namespace aip::proxy
