#include "aip/mcp/client.h"

#include <signal.h>

#include <algorithm>
#include <atomic>

#include <iostream>

#include "aip/base/encoding.h"
#include "aip/mcp/jsonrpc.h"
#include "aip/mcp/server_answers.h"
#include "aip/net/child_process.h"
#include "aip/net/http_client.h"

namespace aip::mcp {
namespace {

constexpr std::size_t kMaxMessageBytes = 16 * 1024 * 1024;
constexpr std::size_t kMaxListedItems = 100000;

Error RpcFailure(const json::Object& error) { return InvalidArgumentError(ErrorText(error)); }

class StdioTransport final : public ClientTransport {
 public:
  explicit StdioTransport(std::unique_ptr<net::ChildProcess> child) : child_(std::move(child)) {}
  ~StdioTransport() override { Close(); }

  Result<json::Object> Roundtrip(const json::Object& request, const std::vector<std::pair<std::string, std::string>>&,
                                 const NotificationHandler& on_notification, std::chrono::milliseconds timeout) override {
    struct ClearCancel {
      std::atomic<bool>& flag;
      ~ClearCancel() { flag = false; }
    } clear_cancel{cancel_requested_};
    AIP_RETURN_IF_ERROR(child_->WriteLine(json::Serialize(request), timeout));
    const json::Value& id = request.at("id");
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (cancel_requested_) {
        // The caller left: tell the server, and stop waiting (a late answer carries this id,
        // which the next exchange ignores).
        (void)Notify(json::Object{{"jsonrpc", "2.0"},
                                  {"method", "notifications/cancelled"},
                                  {"params", json::Object{{"requestId", id}, {"reason", "the caller left"}}}});
        return UnavailableError("cancelled: the caller left");
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      // Read in slices, so a cancellation is seen within one.
      auto slice = std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
      auto line = child_->ReadLine(kMaxMessageBytes, slice);
      if (!line && line.error().message.find("timeout") != std::string::npos && left > slice) continue;
      if (!line) {
        if (line.error().message.find("timeout") != std::string::npos) {
          // Tell the server to stop working on it (stdio cancellation).
          (void)Notify(json::Object{{"jsonrpc", "2.0"},
                                    {"method", "notifications/cancelled"},
                                    {"params", json::Object{{"requestId", id}, {"reason", "timeout"}}}});
        }
        return line.status();
      }
      if (line->empty()) continue;
      auto parsed = ParseMessage(*line, kMaxMessageBytes);
      if (std::holds_alternative<ErrorResponse>(parsed)) continue;  // Not JSON-RPC: ignore the line.
      Message& m = std::get<Message>(parsed);
      if (auto* n = std::get_if<Notification>(&m)) {
        if (on_notification) on_notification(ToJson(*n));
      } else if (auto* r = std::get_if<mcp::Request>(&m)) {
        // A legacy server asking us something (sampling, roots, elicitation): we offer none.
        (void)child_->WriteLine(json::Serialize(MakeError(r->id, kMethodNotFound, "Method not found")));
      } else if (auto* res = std::get_if<Response>(&m); res != nullptr && res->id == id) {
        return ToJson(*res);
      } else if (auto* err = std::get_if<ErrorResponse>(&m); err != nullptr && (err->id == id || err->id.is_null())) {
        return ToJson(*err);
      }
    }
  }

  Status Notify(const json::Object& notification) override { return child_->WriteLine(json::Serialize(notification)); }
  void Close() override {
    if (child_) child_->Shutdown();
  }
  void Abort() override {
    // The read in Roundtrip sees end of file; Close (or the destructor) reaps the child.
    if (child_ && child_->pid() > 0) ::kill(child_->pid(), SIGKILL);
  }
  bool Cancel() override {
    cancel_requested_ = true;
    return true;  // The process stays: only this request is given up.
  }

 private:
  std::unique_ptr<net::ChildProcess> child_;
  std::atomic<bool> cancel_requested_{false};
};

class HttpTransport final : public ClientTransport {
 public:
  HttpTransport(net::Url url, std::string full_url, HttpRequestSigner signer, net::HttpClientOptions options,
                std::shared_ptr<HttpAuthorizer> authorizer)
      : url_(url),
        full_url_(std::move(full_url)),
        http_(std::move(url), std::move(options)),
        signer_(std::move(signer)),
        authorizer_(std::move(authorizer)) {}
  ~HttpTransport() override { Close(); }

  Result<json::Object> Roundtrip(const json::Object& request, const std::vector<std::pair<std::string, std::string>>& headers,
                                 const NotificationHandler& on_notification, std::chrono::milliseconds timeout) override {
    (void)timeout;  // The HTTP client applies its own per-operation timeout.
    net::Headers base = BaseHeaders(request);
    for (const auto& [n, v] : headers) base.Set(n, v);
    std::string body = json::Serialize(request);
    json::Object response;
    bool got = false;
    auto on_event = [&](const net::SseEvent& e) {
      auto parsed = ParseMessage(e.data, kMaxMessageBytes);
      if (!std::holds_alternative<Message>(parsed)) return;
      Message& m = std::get<Message>(parsed);
      if (auto* n = std::get_if<Notification>(&m)) {
        if (on_notification) on_notification(ToJson(*n));
      } else if (std::holds_alternative<Response>(m) || std::holds_alternative<ErrorResponse>(m)) {
        response = ToJson(m);
        got = true;
      }
    };
    AIP_ASSIGN_OR_RETURN(net::HttpResponse res, SendAuthorized(base, body, on_event));
    if (auto sid = res.headers.Get("mcp-session-id")) session_ = std::string(*sid);
    if (got) return response;
    if (res.headers.Get("content-type").value_or("").starts_with("application/json")) {
      auto obj = json::ParseJsonObject(res.body, json::ParseLimits{kMaxMessageBytes, 64});
      if (obj && (obj->contains("result") || obj->contains("error"))) return std::move(*obj);
    }
    return UnavailableError("HTTP " + std::to_string(res.status) + " without a JSON-RPC response");
  }

  Status Notify(const json::Object& notification) override {
    std::string body = json::Serialize(notification);
    AIP_ASSIGN_OR_RETURN(net::HttpResponse res, SendAuthorized(BaseHeaders(notification), body, nullptr));
    if (res.status != 202 && res.status != 200) return UnavailableError("notification refused: HTTP " + std::to_string(res.status));
    return OkStatus();
  }

  void SetLegacy(const std::string& protocol_version) override { legacy_version_ = protocol_version; }

  void Abort() override { http_.Abort(); }
  bool Cancel() override {
    // Closing the connection ends the upstream's stream; the connection cannot be used again.
    http_.Abort();
    return false;
  }
  void Close() override {
    if (!session_.empty()) {
      net::Headers h;
      h.Set("mcp-session-id", session_);
      if (!authorizer_ || authorizer_->Authorize(h).ok()) (void)http_.Send("DELETE", url_.target, h, "");
      session_.clear();
    }
    http_.Close();
  }

 private:
  // SendAuthorized posts `body` with the authorizer's credential and the signer's proof; a 401 or
  // 403 goes to the authorizer, which may get a new credential for another try.
  Result<net::HttpResponse> SendAuthorized(const net::Headers& base, const std::string& body,
                                           const std::function<void(const net::SseEvent&)>& on_event) {
    for (int attempt = 0;; ++attempt) {
      net::Headers h = base;
      if (authorizer_) AIP_RETURN_IF_ERROR(authorizer_->Authorize(h));
      if (signer_) AIP_RETURN_IF_ERROR(signer_("POST", full_url_, h, body));
      AIP_ASSIGN_OR_RETURN(net::HttpResponse res, http_.Send("POST", url_.target, h, body, on_event));
      bool challenged = res.status == 401 || res.status == 403;
      if (!challenged || !authorizer_) return res;
      if (attempt == kMaxAuthorizationRetries) {
        return PermissionDeniedError("HTTP " + std::to_string(res.status) + " again after " + std::to_string(kMaxAuthorizationRetries) +
                                     " authorizations; giving up");
      }
      AIP_RETURN_IF_ERROR(authorizer_->OnChallenge(res.status, res.headers));
    }
  }

  net::Headers BaseHeaders(const json::Object& message) { return StreamableHttpHeaders(message, session_, legacy_version_); }

  net::Url url_;
  std::string full_url_;
  net::HttpClient http_;
  HttpRequestSigner signer_;
  std::shared_ptr<HttpAuthorizer> authorizer_;
  std::string session_;
  std::string legacy_version_;
};

}  // namespace

Result<std::unique_ptr<ClientTransport>> StdioClientTransport(const std::vector<std::string>& argv, const StdioClientOptions& options) {
  AIP_ASSIGN_OR_RETURN(
      auto child, net::ChildProcess::Spawn(
                      argv, options.on_stderr ? options.on_stderr : [](std::string_view line) { std::cerr << "[server] " << line << "\n"; },
                      options.env ? &*options.env : nullptr));
  return std::unique_ptr<ClientTransport>(new StdioTransport(std::move(child)));
}

HttpRequestSigner WithCredential(std::string header, std::string value, HttpRequestSigner next) {
  return [header = std::move(header), value = std::move(value), next = std::move(next)](
             std::string_view method, std::string_view url, net::Headers& headers, std::string_view body) -> Status {
    headers.Set(header, value);
    return next ? next(method, url, headers, body) : OkStatus();
  };
}

Result<std::unique_ptr<ClientTransport>> HttpClientTransport(const std::string& url, HttpRequestSigner signer,
                                                             net::HttpClientOptions options, std::shared_ptr<HttpAuthorizer> authorizer) {
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(url));
  std::string full = u.Origin() + u.target;
  return std::unique_ptr<ClientTransport>(
      new HttpTransport(std::move(u), std::move(full), std::move(signer), std::move(options), std::move(authorizer)));
}

McpClient::McpClient(std::unique_ptr<ClientTransport> transport, ClientOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}
McpClient::~McpClient() { Close(); }

void McpClient::Close() {
  if (transport_) transport_->Close();
}

void McpClient::Abort() {
  if (transport_) transport_->Abort();
}

bool McpClient::Cancel() { return transport_ ? transport_->Cancel() : false; }

namespace {
// ResultOf turns a response message into its result, or its JSON-RPC error into an error.
Result<json::Object> ResultOf(Result<json::Object> response) {
  AIP_RETURN_IF_ERROR(response.status());
  if (const json::Value* err = response->if_contains("error")) return RpcFailure(err->get_object());
  return response->at("result").get_object();
}
}  // namespace

Result<json::Object> McpClient::Request(const std::string& method, json::Object params, const NotificationHandler& on_notification) {
  return ResultOf(Send(method, std::move(params), {}, on_notification));
}

Result<json::Object> McpClient::Send(const std::string& method, json::Object params,
                                     const std::vector<std::pair<std::string, std::string>>& headers,
                                     const NotificationHandler& on_notification) {
  if (modern_) {
    json::Object meta;
    if (const json::Value* m = params.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
    meta[kMetaProtocolVersion] = version_;
    // A caller may state capabilities for itself (a gateway passes its own caller's on).
    if (!meta.contains(kMetaClientCapabilities)) meta[kMetaClientCapabilities] = json::Object{};
    meta[kMetaClientInfo] = options_.client_info.ToJson();
    params["_meta"] = std::move(meta);
  }
  json::Object request{{"jsonrpc", "2.0"}, {"id", next_id_++}, {"method", method}, {"params", std::move(params)}};
  if (options_.before_send) AIP_RETURN_IF_ERROR(options_.before_send(request));
  if (options_.on_send) options_.on_send(request);
  AIP_ASSIGN_OR_RETURN(json::Object response, transport_->Roundtrip(request, headers, on_notification, options_.timeout));
  // The whole response comes back: an error object as the server sent it, or a result object
  // that passed the after_receive check (a signed result verified).
  if (const json::Value* err = response.if_contains("error"); err != nullptr && err->is_object()) return response;
  const json::Value* result = response.if_contains("result");
  if (result == nullptr || !result->is_object()) return InvalidArgumentError("response has no result object");
  if (options_.after_receive) AIP_RETURN_IF_ERROR(options_.after_receive(request, result->get_object()));
  return response;
}

Result<json::Object> McpClient::Exchange(const std::string& method, json::Object params, const NotificationHandler& on_notification) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (method == "tools/call") {
    if (const json::Value* n = params.if_contains("name"); n != nullptr && n->is_string()) {
      const json::Value* a = params.if_contains("arguments");
      AIP_ASSIGN_OR_RETURN(headers,
                           ParamHeaders(std::string(n->get_string()), a != nullptr && a->is_object() ? a->get_object() : json::Object{}));
    }
  }
  return Send(method, std::move(params), headers, on_notification);
}

Status McpClient::Connect() {
  if (options_.try_modern) {
    modern_ = true;
    version_ = std::string(kModernVersion);
    // A server that does not answer server/discover (or answers it wrongly) is a legacy one.
    auto discovered = Request("server/discover", json::Object{});
    auto discovery = discovered ? ReadDiscovery(*discovered) : Result<Discovery>(discovered.error());
    if (discovery && std::find(discovery->supported_versions.begin(), discovery->supported_versions.end(), kModernVersion) !=
                         discovery->supported_versions.end()) {
      capabilities_ = std::move(discovery->capabilities);
      server_info_ = std::move(discovery->server_info);
      return OkStatus();
    }
  }
  // Legacy handshake.
  modern_ = false;
  json::Object params{
      {"protocolVersion", kLatestLegacyVersion}, {"capabilities", json::Object{}}, {"clientInfo", options_.client_info.ToJson()}};
  AIP_ASSIGN_OR_RETURN(json::Object result, Request("initialize", std::move(params)));
  auto initialized = ReadInitialized(result);
  if (!initialized) return UnavailableError("initialize result: " + initialized.error().message);
  if (!IsLegacyVersion(initialized->protocol_version)) return UnavailableError("server offered an unsupported protocol version");
  version_ = std::move(initialized->protocol_version);
  capabilities_ = std::move(initialized->capabilities);
  server_info_ = std::move(initialized->server_info);
  transport_->SetLegacy(version_);
  return transport_->Notify(json::Object{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
}

Result<json::Array> McpClient::ListAll(const std::string& method, const std::string& key, const PageObserver& observe) {
  json::Array all;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    json::Object params;
    if (!cursor.empty()) params["cursor"] = cursor;
    AIP_ASSIGN_OR_RETURN(json::Object result, Request(method, std::move(params)));
    auto listed = ReadPage(result, key);
    if (!listed) return InvalidArgumentError(method + " result: " + listed.error().message);
    if (observe) observe(result);
    // A server's listing is bounded as a whole, not only per page: at most kMaxListedItems, and a
    // cursor handed back unchanged (a loop) ends it with an error instead of 1,000 requests.
    if (all.size() + listed->items->size() > kMaxListedItems) {
      return ResourceExhaustedError(method + ": more than " + std::to_string(kMaxListedItems) + " items");
    }
    for (const auto& i : *listed->items) all.push_back(i);
    if (listed->next_cursor.empty()) return all;
    if (listed->next_cursor == cursor) return InvalidArgumentError(method + ": the server returned the same cursor again");
    cursor = std::move(listed->next_cursor);
  }
  return ResourceExhaustedError(method + ": too many pages");
}

Result<json::Array> McpClient::ListTools(const PageObserver& observe) {
  AIP_ASSIGN_OR_RETURN(json::Array tools, ListAll("tools/list", "tools", observe));
  tool_schemas_ = ToolSchemas(tools);
  tools_listed_ = true;
  return tools;
}

Result<std::vector<std::pair<std::string, std::string>>> McpClient::ParamHeaders(const std::string& tool, const json::Object& args) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!modern_) return out;  // Only 2026-07-28 mirrors arguments into headers.
  if (!tools_listed_) {
    auto listed = ListTools();
    if (!listed) return listed.status();
  }
  auto it = tool_schemas_.find(tool);
  if (it == tool_schemas_.end()) return out;
  return ParamHeadersFor(it->second, args);
}

std::vector<std::pair<std::string, std::string>> ParamHeadersFor(const json::Object& input_schema, const json::Object& args) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::Value* props = input_schema.if_contains("properties");
  if (props == nullptr || !props->is_object()) return out;
  for (const auto& kv : props->get_object()) {
    const json::Value* h = kv.value().is_object() ? kv.value().get_object().if_contains("x-mcp-header") : nullptr;
    const json::Value* arg = args.if_contains(kv.key());
    if (h == nullptr || !h->is_string() || arg == nullptr || arg->is_null()) continue;
    std::string value;
    if (arg->is_string())
      value = std::string(arg->get_string());
    else if (arg->is_bool())
      value = arg->get_bool() ? "true" : "false";
    else if (arg->is_number())
      value = json::Serialize(*arg);
    else
      continue;
    bool safe = !value.empty() && value.front() != ' ' && value.back() != ' ';
    for (unsigned char c : value) safe = safe && c >= 0x20 && c <= 0x7e;
    if (!safe) value = "=?base64?" + Base64Encode(AsBytes(value)) + "?=";
    out.emplace_back("mcp-param-" + std::string(h->get_string()), value);
  }
  return out;
}

net::Headers StreamableHttpHeaders(const json::Object& message, std::string_view session, std::string_view legacy_version) {
  net::Headers h;
  h.Set("content-type", "application/json");
  h.Set("accept", "application/json, text/event-stream");
  if (!session.empty()) h.Set("mcp-session-id", session);
  const json::Value* params = message.if_contains("params");
  const json::Value* method = message.if_contains("method");
  std::optional<std::string> modern;
  if (params != nullptr && params->is_object()) modern = ModernVersionOf(params->get_object());
  if (modern && method != nullptr && method->is_string()) {
    h.Set("mcp-protocol-version", *modern);
    std::string_view m = method->get_string();
    h.Set("mcp-method", m);
    const char* key = m == "resources/read" ? "uri" : "name";
    if (m == "tools/call" || m == "prompts/get" || m == "resources/read") {
      if (const json::Value* v = params->get_object().if_contains(key); v != nullptr && v->is_string()) {
        h.Set("mcp-name", v->get_string());
      }
    }
  } else if (!legacy_version.empty()) {
    h.Set("mcp-protocol-version", legacy_version);
  }
  return h;
}

Result<json::Array> McpClient::ListResources() { return ListAll("resources/list", "resources"); }
Result<json::Array> McpClient::ListPrompts(const PageObserver& observe) { return ListAll("prompts/list", "prompts", observe); }

Result<json::Object> McpClient::CallTool(const std::string& name, const json::Object& arguments, const NotificationHandler& on_progress) {
  json::Object params{{"name", name}, {"arguments", arguments}};
  if (on_progress) params["_meta"] = json::Object{{"progressToken", next_id_}};
  AIP_ASSIGN_OR_RETURN(auto headers, ParamHeaders(name, arguments));
  return ResultOf(Send("tools/call", std::move(params), headers, on_progress));
}

Result<json::Object> McpClient::ReadResource(const std::string& uri) { return Request("resources/read", json::Object{{"uri", uri}}); }

Result<json::Object> McpClient::GetPrompt(const std::string& name, const json::Object& arguments) {
  return Request("prompts/get", json::Object{{"name", name}, {"arguments", arguments}});
}

}  // namespace aip::mcp
