#include "aip/proxy/stdio_bridge.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "aip/base/field_reader.h"
#include "aip/mcp/jsonrpc.h"
#include "aip/mcp/protocol.h"
#include "aip/mcp/request_params.h"
#include "aip/mcp/server_answers.h"
#include "aip/mcp/stdio_transport.h"

namespace aip::proxy {
namespace {

bool IsResponseTo(const json::Object& message, const json::Value& id) { return IsResponse(message) && !IsStrayResponse(message, &id); }

class Bridge {
 public:
  Bridge(RemoteEndpoint& remote, const StdioBridgeOptions& options) : remote_(remote), options_(options), out_(options.out_fd) {}

  void Run();

 private:
  void Log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }
  void Dispatch(std::string_view line);
  void RelayRequest(json::Object request);
  json::Object Roundtrip(const json::Object& request, Exchange& exchange);
  json::Object Initialize(const json::Object& request, Exchange& exchange);
  json::Object ModernMeta();
  json::Object InModernEra(json::Object request);
  json::Object SendOnce(const json::Object& request, Exchange& exchange);
  // AskClient puts a 2026 server's input requests to a legacy client as the server-to-client
  // requests it knows (elicitation/create, sampling/createMessage, roots/list) and collects its
  // answers, keyed as the server named them.
  Result<json::Object> AskClient(const json::Object& input_requests, Exchange& exchange);
  bool TakeClientAnswer(const json::Object& message);
  bool LegacyClient() {
    std::lock_guard lock(mu_);
    return initialize_.has_value() && !legacy_version_.empty();
  }
  void RelayOther(const json::Object& message);
  bool Reinitialize(const std::string& stale_session);
  net::Headers HeadersFor(const json::Object& message, std::string* session_used);
  void RememberSchemas(const json::Object& tools_result);
  std::optional<json::Object> LearnSchemas(Exchange& exchange);
  // ListWhole lists `method` (all pages) through SendOnce, so the listing is remembered and
  // screened; a refused listing is the answer returned.
  std::optional<json::Object> ListWhole(const std::string& method, Exchange& exchange);
  void StartListener();
  void Listen();
  void Stop();
  // EventHandler delivers what a response stream carries to the local client, keeping back the
  // answer to `id`, which the caller checks first.
  std::function<void(const net::SseEvent&)> EventHandler(const json::Value& id, std::optional<json::Object>& answer);

  RemoteEndpoint& remote_;
  const StdioBridgeOptions& options_;
  mcp::LineWriter out_;

  std::mutex mu_;  // Guards everything below.
  std::string session_;
  std::string legacy_version_;
  std::optional<json::Object> initialize_;  // The client's own, for initializing again.
  bool modern_ = false;                     // The remote is spoken to in 2026-07-28.
  json::Object client_capabilities_;        // From the client's initialize.
  json::Object client_info_;
  std::string log_level_;                        // From logging/setLevel, sent in each request's _meta.
  std::map<std::string, json::Object> schemas_;  // Tool input schemas, for Mcp-Param-* headers.
  bool tools_listed_ = false;
  std::map<std::string, std::shared_ptr<Exchange>> in_flight_;  // By serialized request id.
  int active_ = 0;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool input_ended_ = false;
  std::thread listener_;
  std::shared_ptr<Exchange> listener_exchange_;
  std::mutex reinit_mu_;
  int reinitializations_ = 0;
  struct PendingAnswer {
    std::optional<json::Object> answer;
  };
  std::map<std::string, std::shared_ptr<PendingAnswer>> pending_answers_;  // Questions the proxy asked.
  int asked_ = 0;
};

void Bridge::Run() {
  mcp::ReadLines(
      options_.in_fd, options_.max_line_bytes, [this](std::string_view line) { Dispatch(line); },
      [this] { out_.Write(mcp::MakeError(nullptr, mcp::kInvalidRequest, "Invalid Request: message larger than the limit")); });
  {
    // The client can answer no more questions: requests waiting for its input end now.
    std::lock_guard lock(mu_);
    input_ended_ = true;
  }
  cv_.notify_all();
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return active_ == 0; });
  }
  Stop();
}

void Bridge::Dispatch(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return;
  auto parsed = mcp::ParseMessage(line, options_.max_line_bytes);
  if (auto* err = std::get_if<mcp::ErrorResponse>(&parsed)) {
    out_.Write(mcp::ToJson(*err));
    return;
  }
  const mcp::Message& msg = std::get<mcp::Message>(parsed);
  json::Object message = mcp::ToJson(msg);
  if (!std::holds_alternative<mcp::Request>(msg)) {
    RelayOther(message);
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (active_ >= options_.max_in_flight) {
      out_.Write(mcp::MakeError(message.at("id"), mcp::kInternalError, "aip proxy is busy: too many requests in progress"));
      return;
    }
    ++active_;
  }
  std::thread([this, message = std::move(message)]() mutable {
    RelayRequest(std::move(message));
    std::lock_guard lock(mu_);
    if (--active_ == 0) cv_.notify_all();
  }).detach();
}

void Bridge::RelayRequest(json::Object request) {
  std::string key = json::Serialize(request.at("id"));
  auto exchange = std::make_shared<Exchange>();
  {
    std::lock_guard lock(mu_);
    in_flight_[key] = exchange;
  }
  json::Object answer = Roundtrip(request, *exchange);
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(key);
  }
  // A cancelled request gets no answer: the client has forgotten it (MCP cancellation).
  if (!exchange->aborted()) out_.Write(answer);
}

std::function<void(const net::SseEvent&)> Bridge::EventHandler(const json::Value& id, std::optional<json::Object>& answer) {
  return [this, &id, &answer](const net::SseEvent& e) {
    if (!e.event.empty() && e.event != "message") return;
    auto message = json::ParseJsonObject(e.data, json::ParseLimits{options_.max_line_bytes, 64});
    if (!message) {
      Log("the remote sent an event that is not a JSON object; dropped");
      return;
    }
    if (IsResponseTo(*message, id)) {
      answer = std::move(*message);
    } else if (IsStrayResponse(*message, &id)) {
      Log("the remote sent a response to another request on this request's stream; dropped");
    } else {
      out_.Write(*message);  // Progress, logs, or a request of the server's (elicitation, sampling).
    }
  };
}

// Initialize answers a legacy client's initialize. A remote that speaks 2026-07-28 is spoken to
// in that era (server/discover, then stateless requests) and the client gets the legacy
// handshake it asked for from the proxy; any other remote gets the client's initialize as is.
json::Object Bridge::Initialize(const json::Object& request, Exchange& exchange) {
  const json::Object& params = request.at("params").get_object();
  auto read = mcp::ReadInitialize(params);
  if (!read) return mcp::ToJson(mcp::ErrorResponse{request.at("id"), mcp::InvalidParams(read.error())});
  const json::Object* info = nullptr;
  if (Status s = json::FieldReader(params).ObjectMember("clientInfo", info); !s.ok()) {
    return mcp::ToJson(mcp::ErrorResponse{request.at("id"), mcp::InvalidParams(s.error())});
  }
  std::string requested = read->protocol_version;
  {
    std::lock_guard lock(mu_);
    initialize_ = request;
    session_.clear();
    legacy_version_.clear();
    modern_ = false;
    client_capabilities_ = read->capabilities != nullptr ? *read->capabilities : json::Object{};
    client_info_ = info != nullptr ? *info : json::Object{{"name", "aip-proxy"}, {"version", "0.1.0"}};
  }
  json::Object discover{
      {"jsonrpc", "2.0"}, {"id", request.at("id")}, {"method", "server/discover"}, {"params", json::Object{{"_meta", ModernMeta()}}}};
  json::Object found = SendOnce(discover, exchange);
  // A remote that does not answer server/discover (or answers it wrongly) is a legacy one.
  const json::Value* result = found.if_contains("result");
  auto discovery = result != nullptr && result->is_object() ? mcp::ReadDiscovery(result->get_object())
                                                            : Result<mcp::Discovery>(InvalidArgumentError("no discovery result"));
  bool modern = discovery && std::find(discovery->supported_versions.begin(), discovery->supported_versions.end(), mcp::kModernVersion) !=
                                 discovery->supported_versions.end();
  if (!modern) return SendOnce(request, exchange);
  json::Object answer{{"protocolVersion", mcp::NegotiateLegacyVersion(requested)}};
  answer["capabilities"] = std::move(discovery->capabilities);
  answer["serverInfo"] =
      discovery->server_info.empty() ? json::Object{{"name", "aip-proxy"}, {"version", "0.1.0"}} : std::move(discovery->server_info);
  if (const json::Value* instructions = result->get_object().if_contains("instructions");
      instructions != nullptr && instructions->is_string()) {
    answer["instructions"] = *instructions;
  }
  {
    std::lock_guard lock(mu_);
    modern_ = true;
    legacy_version_ = std::string(answer.at("protocolVersion").get_string());
  }
  Log("the remote speaks " + std::string(mcp::kModernVersion) + "; presenting " + legacy_version_ + " to the client");
  return mcp::MakeResult(request.at("id"), std::move(answer));
}

// ModernMeta is what a 2026 request says of its client: the version, and the capabilities and
// identity the local client declared in its initialize (and its log level, once set).
json::Object Bridge::ModernMeta() {
  std::lock_guard lock(mu_);
  json::Object meta{{mcp::kMetaProtocolVersion, mcp::kModernVersion},
                    {mcp::kMetaClientCapabilities, client_capabilities_},
                    {mcp::kMetaClientInfo, client_info_}};
  if (!log_level_.empty()) meta[mcp::kMetaLogLevel] = log_level_;
  return meta;
}

// InModernEra returns `request` with the 2026 _meta added (the client's own _meta — a progress
// token — kept).
json::Object Bridge::InModernEra(json::Object request) {
  json::Object& params = request["params"].is_object() ? request["params"].as_object() : (request["params"] = json::Object{}).as_object();
  json::Object meta;
  if (const json::Value* m = params.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
  for (auto& kv : ModernMeta()) meta[kv.key()] = kv.value();
  params["_meta"] = std::move(meta);
  return request;
}

// Roundtrip relays one request. A 2026 server that needs input answers `input_required`; a
// legacy client cannot read that, so the proxy asks the client itself and sends the request
// again with the answers and the server's requestState — newly signed each round.
json::Object Bridge::Roundtrip(const json::Object& request, Exchange& exchange) {
  std::string method(request.at("method").get_string());
  if (method == "initialize") return Initialize(request, exchange);
  bool modern;
  {
    std::lock_guard lock(mu_);
    modern = modern_;
  }
  if (modern && method == "ping") return mcp::MakeResult(request.at("id"), json::Object{});
  if (modern && method == "logging/setLevel") {
    // 2026 has no session to hold a level: each request carries it in its _meta.
    const json::Value* params = request.if_contains("params");
    auto level = params != nullptr && params->is_object() ? mcp::ReadLogLevel(params->get_object()) : mcp::ReadLogLevel(json::Object{});
    if (!level) return mcp::ToJson(mcp::ErrorResponse{request.at("id"), mcp::InvalidParams(level.error())});
    std::lock_guard lock(mu_);
    log_level_ = std::move(*level);
    return mcp::MakeResult(request.at("id"), json::Object{});
  }
  if (modern && method == "tools/call") {
    if (auto refused = LearnSchemas(exchange)) {
      (*refused)["id"] = request.at("id");
      return std::move(*refused);
    }
  }
  if (const auto& screen = options_.screen; screen && (method == "tools/call" || method == "prompts/get")) {
    // A call to an item the pins withhold never reaches the server; one the client calls before
    // listing is judged on a listing the proxy makes first.
    std::string kind = method == "tools/call" ? "tools" : "prompts";
    if (!screen->Listed(kind)) {
      if (auto refused = ListWhole(kind + "/list", exchange)) {
        (*refused)["id"] = request.at("id");
        return std::move(*refused);
      }
    }
    if (auto refused = screen->Refusal(request)) return std::move(*refused);
  }
  constexpr int kMaxInputRounds = 8;
  json::Object current = modern ? InModernEra(request) : request;
  for (int round = 0; round < kMaxInputRounds; ++round) {
    json::Object answer = SendOnce(current, exchange);
    const json::Value* result = answer.if_contains("result");
    if (result == nullptr || !result->is_object() || !LegacyClient()) return answer;
    auto input = mcp::ReadInputRequired(result->get_object());
    if (!input) {
      return ErrorMessage(request.at("id"), mcp::kInternalError, "the server's input_required result: " + input.error().message,
                          "malformed_input_request");
    }
    if (!*input) return answer;
    auto responses = AskClient(*(*input)->input_requests, exchange);
    if (!responses) {
      return ErrorMessage(request.at("id"), mcp::kInternalError,
                          "the server's request for input went unanswered: " + responses.error().message, "input_unanswered");
    }
    current = modern ? InModernEra(request) : request;
    json::Object& params = current["params"].as_object();
    params["inputResponses"] = std::move(*responses);
    if ((*input)->request_state) params["requestState"] = *(*input)->request_state;
  }
  return ErrorMessage(request.at("id"), mcp::kInternalError,
                      "the server asked for input more than " + std::to_string(kMaxInputRounds) + " times", "input_rounds_exceeded");
}

Result<json::Object> Bridge::AskClient(const json::Object& input_requests, Exchange& exchange) {
  // Each question may keep a person busy: a server gets a few per round, not thousands.
  constexpr std::size_t kMaxInputRequests = 16;
  if (input_requests.size() > kMaxInputRequests) {
    return InvalidArgumentError("the server asked " + std::to_string(input_requests.size()) + " questions at once (at most " +
                                std::to_string(kMaxInputRequests) + ")");
  }
  json::Object responses;
  for (const auto& kv : input_requests) {
    const json::Value& ask = kv.value();
    auto method = ask.is_object() ? json::OptionalString(ask.get_object(), "method") : std::nullopt;
    if (!method || (*method != "elicitation/create" && *method != "sampling/createMessage" && *method != "roots/list")) {
      return InvalidArgumentError("input request \"" + std::string(kv.key()) + "\" is not one a client answers");
    }
    auto pending = std::make_shared<PendingAnswer>();
    std::string id;
    {
      std::lock_guard lock(mu_);
      id = "aip-proxy-input-" + std::to_string(++asked_);
      pending_answers_[json::Serialize(json::Value(id))] = pending;
    }
    json::Object message{{"jsonrpc", "2.0"}, {"id", id}, {"method", *method}};
    if (const json::Value* params = ask.get_object().if_contains("params")) message["params"] = *params;
    out_.Write(message);
    std::unique_lock lock(mu_);
    // A person may be answering: wait long, but not forever, and stop for a cancellation.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (!pending->answer && !stopping_ && !input_ended_ && !exchange.aborted() && std::chrono::steady_clock::now() < deadline) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
    }
    pending_answers_.erase(json::Serialize(json::Value(id)));
    if (!pending->answer) return UnavailableError("no answer from the client");
    if (const json::Value* err = pending->answer->if_contains("error")) {
      return UnavailableError("the client refused: " + json::Serialize(*err));
    }
    responses[kv.key()] = pending->answer->at("result");
  }
  return responses;
}

// TakeClientAnswer keeps the client's answer to a question the proxy asked for a 2026 server;
// those go nowhere else.
bool Bridge::TakeClientAnswer(const json::Object& message) {
  const json::Value* id = message.if_contains("id");
  if (id == nullptr || message.contains("method")) return false;
  std::lock_guard lock(mu_);
  auto it = pending_answers_.find(json::Serialize(*id));
  if (it == pending_answers_.end()) return false;
  it->second->answer = message;
  cv_.notify_all();
  return true;
}

json::Object Bridge::SendOnce(const json::Object& request, Exchange& exchange) {
  const json::Value& id = request.at("id");
  std::string method(request.at("method").get_string());
  for (int attempt = 0;; ++attempt) {
    std::string session_used;
    std::optional<json::Object> answer;
    auto sent = remote_.Send("POST", request, HeadersFor(request, &session_used), &exchange, EventHandler(id, answer));
    if (!sent) return ErrorMessage(id, mcp::kInternalError, "the remote is unreachable: " + sent.error().message, "remote_unavailable");
    const net::HttpResponse& res = sent->response;
    if (!answer && res.status == 404 && !session_used.empty() && method != "initialize" && attempt == 0) {
      // The remote forgot the session (it restarted, or ended it): start a new one, try again.
      if (Reinitialize(session_used)) continue;
    }
    json::Object out = answer ? std::move(*answer) : AnswerFromHttp(id, res);
    if (out.contains("result") && out.at("result").is_object()) {
      const json::Object& result = out.at("result").get_object();
      if (method == "initialize") {
        std::lock_guard lock(mu_);
        session_ = std::string(res.headers.Get("mcp-session-id").value_or(""));
        if (auto v = json::OptionalString(result, "protocolVersion")) legacy_version_ = std::string(*v);
      } else if (method == "tools/list") {
        RememberSchemas(result);
      }
    }
    json::Object checked = remote_.CheckResult(sent->request, std::move(out));
    if (options_.screen) options_.screen->ScreenAnswer(method, request, checked);
    return checked;
  }
}

void Bridge::RelayOther(const json::Object& message) {
  if (TakeClientAnswer(message)) return;
  auto method = json::OptionalString(message, "method");
  bool modern;
  {
    std::lock_guard lock(mu_);
    modern = modern_;
  }
  if (modern) {
    // A 2026 server takes requests only: a cancellation is the request's exchange cut, and the
    // legacy handshake's notifications end here.
    if (method == "notifications/cancelled") {
      const json::Value* params = message.if_contains("params");
      const json::Value* rid = params != nullptr && params->is_object() ? params->get_object().if_contains("requestId") : nullptr;
      std::lock_guard lock(mu_);
      auto it = rid != nullptr ? in_flight_.find(json::Serialize(*rid)) : in_flight_.end();
      if (it != in_flight_.end()) it->second->Abort();
    }
    return;
  }
  if (method == "notifications/cancelled") {
    // Forward it (a legacy session cancels by notification), then cut the request's exchange
    // (the 2026 signal: the client leaves the response stream).
    const json::Value* params = message.if_contains("params");
    const json::Value* rid = params != nullptr && params->is_object() ? params->get_object().if_contains("requestId") : nullptr;
    std::shared_ptr<Exchange> exchange;
    if (rid != nullptr) {
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(json::Serialize(*rid));
      if (it != in_flight_.end()) exchange = it->second;
    }
    Exchange once;
    auto sent = remote_.Send("POST", message, HeadersFor(message, nullptr), &once);
    if (exchange) exchange->Abort();
    if (!sent) Log("cancellation not delivered: " + sent.error().message);
    return;
  }
  Exchange once;
  auto sent = remote_.Send("POST", message, HeadersFor(message, nullptr), &once);
  if (!sent) {
    Log(std::string(method ? "notification " + std::string(*method) : "response") + " not delivered: " + sent.error().message);
    return;
  }
  if (sent->response.status >= 300) {
    Log(std::string(method ? "notification " + std::string(*method) : "response") + " refused: HTTP " +
        std::to_string(sent->response.status));
  }
  if (method == "notifications/initialized") StartListener();
}

bool Bridge::Reinitialize(const std::string& stale_session) {
  std::lock_guard once(reinit_mu_);
  json::Object init;
  {
    std::lock_guard lock(mu_);
    if (session_ != stale_session) return true;  // Another request already started a new session.
    if (!initialize_) return false;
    init = *initialize_;
    init["id"] = "aip-proxy-reinitialize-" + std::to_string(++reinitializations_);
  }
  std::optional<json::Object> answer;
  Exchange exchange;
  auto sent = remote_.Send("POST", init, mcp::StreamableHttpHeaders(init, "", ""), &exchange, EventHandler(init.at("id"), answer));
  if (!sent) return false;
  json::Object out = answer ? std::move(*answer) : AnswerFromHttp(init.at("id"), sent->response);
  const json::Value* result = out.if_contains("result");
  if (result == nullptr || !result->is_object()) {
    Log("the remote refused a new session");
    return false;
  }
  {
    std::lock_guard lock(mu_);
    session_ = std::string(sent->response.headers.Get("mcp-session-id").value_or(""));
    if (auto v = json::OptionalString(result->get_object(), "protocolVersion")) legacy_version_ = std::string(*v);
  }
  json::Object initialized{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
  Exchange note;
  (void)remote_.Send("POST", initialized, HeadersFor(initialized, nullptr), &note);
  Log("the remote had forgotten the session; initialized a new one");
  cv_.notify_all();  // The listener follows the new session.
  return true;
}

net::Headers Bridge::HeadersFor(const json::Object& message, std::string* session_used) {
  std::lock_guard lock(mu_);
  if (session_used != nullptr) *session_used = session_;
  net::Headers h = mcp::StreamableHttpHeaders(message, session_, legacy_version_);
  // A 2026 tools/call mirrors annotated arguments into Mcp-Param-* headers, which the server
  // checks against the body; the schemas come from the tools/list answers relayed before.
  if (h.Get("mcp-method") == "tools/call") {
    auto call = mcp::ReadNamedCall(message.at("params").get_object());
    auto it = call ? schemas_.find(call->name) : schemas_.end();
    if (it != schemas_.end() && call->arguments != nullptr) {
      for (auto& [n, v] : mcp::ParamHeadersFor(it->second, *call->arguments)) h.Set(n, v);
    }
  }
  return h;
}

// LearnSchemas lists the remote's tools once, before the first 2026 tools/call: the call must
// mirror annotated arguments into Mcp-Param-* headers, which needs each tool's input schema.
// A listing the remote refuses is the answer the call gets (its reason included).
std::optional<json::Object> Bridge::LearnSchemas(Exchange& exchange) {
  {
    std::lock_guard lock(mu_);
    if (tools_listed_) return std::nullopt;
  }
  if (auto refused = ListWhole("tools/list", exchange)) return refused;
  std::lock_guard lock(mu_);
  tools_listed_ = true;
  return std::nullopt;
}

std::optional<json::Object> Bridge::ListWhole(const std::string& method, Exchange& exchange) {
  bool modern;
  {
    std::lock_guard lock(mu_);
    modern = modern_;
  }
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    json::Object params;
    if (!cursor.empty()) params["cursor"] = cursor;
    json::Object list{
        {"jsonrpc", "2.0"}, {"id", "aip-proxy-list-" + std::to_string(page)}, {"method", method}, {"params", std::move(params)}};
    json::Object answer = SendOnce(modern ? InModernEra(std::move(list)) : std::move(list), exchange);  // Remembered, screened.
    const json::Value* result = answer.if_contains("result");
    if (result == nullptr || !result->is_object()) return answer;  // Why the call cannot go; tried again next time.
    auto listed = mcp::ReadPage(result->get_object(), method.substr(0, method.find('/')));
    if (!listed) {
      return ErrorMessage(answer.contains("id") ? answer.at("id") : json::Value(nullptr), mcp::kInternalError,
                          "the remote's " + method + " answer: " + listed.error().message, "malformed_listing");
    }
    if (listed->next_cursor.empty()) break;
    cursor = std::move(listed->next_cursor);
  }
  return std::nullopt;
}

void Bridge::RememberSchemas(const json::Object& tools_result) {
  auto page = mcp::ReadPage(tools_result, "tools");
  if (!page) return;
  std::lock_guard lock(mu_);
  for (auto& [name, schema] : mcp::ToolSchemas(*page->items, 10000)) {
    if (schemas_.size() < 10000) schemas_[name] = std::move(schema);
  }
}

void Bridge::StartListener() {
  std::lock_guard lock(mu_);
  if (listener_.joinable() || session_.empty() || stopping_) return;
  listener_ = std::thread([this] { Listen(); });
}

// Listen keeps the session's own stream open (GET): what the server says unprompted —
// list_changed, logs, its requests — reaches the client. It follows new sessions and backs off
// while the remote is away.
void Bridge::Listen() {
  auto backoff = std::chrono::seconds(1);
  while (true) {
    net::Headers h;
    std::shared_ptr<Exchange> exchange = std::make_shared<Exchange>();
    std::string session;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !session_.empty(); });
      if (stopping_) return;
      session = session_;
      h.Set("accept", "text/event-stream");
      h.Set("mcp-session-id", session_);
      if (!legacy_version_.empty()) h.Set("mcp-protocol-version", legacy_version_);
      listener_exchange_ = exchange;
    }
    auto sent = remote_.Send("GET", std::nullopt, h, exchange.get(), [this](const net::SseEvent& e) {
      if (!e.event.empty() && e.event != "message") return;
      auto message = json::ParseJsonObject(e.data, json::ParseLimits{options_.max_line_bytes, 64});
      if (!message) return;
      if (IsStrayResponse(*message, nullptr)) {
        Log("the remote sent a response on the session's own stream; dropped");
        return;
      }
      out_.Write(*message);
    });
    if (sent && sent->response.status == 405) {
      Log("the remote offers no stream of its own (GET: 405); server-initiated messages arrive only with responses");
      return;
    }
    if (sent && sent->response.status == 404) {
      Reinitialize(session);
    } else if (sent && sent->response.status < 300) {
      backoff = std::chrono::seconds(1);  // The stream ended normally: open it again.
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, backoff, [&] { return stopping_; })) return;
    backoff = std::min(backoff * 2, std::chrono::seconds(30));
  }
}

void Bridge::Stop() {
  std::string session;
  std::string version;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (listener_exchange_) listener_exchange_->Abort();
    session = session_;
    version = legacy_version_;
  }
  cv_.notify_all();
  if (listener_.joinable()) listener_.join();
  if (!session.empty()) {
    // End the remote session rather than leave it to expire.
    net::Headers h;
    h.Set("mcp-session-id", session);
    if (!version.empty()) h.Set("mcp-protocol-version", version);
    Exchange exchange;
    (void)remote_.Send("DELETE", std::nullopt, h, &exchange);
  }
}

}  // namespace

Status RunStdioBridge(RemoteEndpoint& remote, const StdioBridgeOptions& options) {
  Bridge bridge(remote, options);
  bridge.Run();
  return OkStatus();
}

}  // namespace aip::proxy
