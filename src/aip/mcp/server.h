// McpServer: the transport-independent MCP server. Register tools (with JSON Schema-validated
// arguments), resources, resource templates, prompts and completions; transports (stdio,
// Streamable HTTP) hand it parsed messages and deliver its responses and notifications.
//
// It speaks both eras: legacy requests rely on a Session negotiated by `initialize`; modern
// requests (2026-07-28) carry their protocol version and client capabilities in `_meta` and
// need no session. Unknown methods get -32601, unknown tools -32602, invalid tool arguments an
// `isError` result naming the problem.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "aip/authn/authenticator.h"
#include "aip/base/cancellation.h"
#include "aip/authn/principal.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/mcp/json_schema.h"
#include "aip/mcp/jsonrpc.h"
#include "aip/mcp/protocol.h"
#include "aip/mcp/request_state.h"
#include "aip/mcp/uri_template.h"
#include "aip/net/http.h"

namespace aip::mcp {

// Session is the state a legacy client negotiated with `initialize`.
struct Session {
  std::string id;
  std::string protocol_version;
  bool initialized = false;
  json::Object client_capabilities;  // At most kMaxSessionCapabilityBytes serialized.
  std::string log_level = "info";
  // Who may use the session: the principal that proved itself on `initialize`
  // (authn::PrincipalKey), or empty when it was created anonymously (then its id is the only
  // key). Set by McpServer; the transport keeps the rest.
  std::string owner;
  std::string remote_address;
  std::chrono::steady_clock::time_point last_used;
};

// What a session may keep of the client's capabilities: a client sending more is refused at
// initialize, so a session costs little whatever the client sends.
inline constexpr std::size_t kMaxSessionCapabilityBytes = 4096;

// AuthRefusal is the JSON-RPC error for a refused credential: kUnauthenticatedCode (HTTP 401),
// or kInternalError with data.retryAfterSeconds (HTTP 503 + Retry-After) when a store the
// check needs is unavailable.
RpcError AuthRefusal(const authn::AuthFailure& failure);

// SessionOwnerRefusal refuses a request on a session owned by another principal (or by one
// when the request proves none); nullopt: the caller may use it.
std::optional<RpcError> SessionOwnerRefusal(const Session* session, const authn::Principal* caller);

// RequestInfo describes the request being served, for handlers.
struct RequestInfo {
  std::string method;
  std::string protocol_version;
  bool modern = false;
  json::Object meta;                          // params._meta, if any.
  std::optional<authn::Principal> principal;  // Set when an authenticator accepted the request.
};

// kUnauthenticatedCode is aip's JSON-RPC error for a refused credential. It sits outside
// -32768..-32000, which JSON-RPC and MCP reserve.
inline constexpr int kUnauthenticatedCode = -31001;
// kRateLimitedCode: too many requests (HTTP 429; data.retryAfterSeconds says when to retry).
inline constexpr int kRateLimitedCode = -31002;
// kForbiddenCode: authenticated, but policy does not allow this (HTTP 200 with the error, whose
// data names the rule and reason; 403 only for an OAuth token short of a scope).
inline constexpr int kForbiddenCode = -31003;

// ResultSigner adds a signature to a result, bound to the request it answers.
class ResultSigner {
 public:
  virtual ~ResultSigner() = default;
  virtual void Sign(const json::Object& request, json::Object& result) = 0;
};

// DefinitionSigner signs the definitions a server lists — each tool, prompt and resource
// template, and each listed page as a whole (docs/protocol.md, "Signed definitions");
// mcpsig::ProofDefinitionSigner is aip's.
class DefinitionSigner {
 public:
  virtual ~DefinitionSigner() = default;
  // Sign adds a proof to each of `items` (one page of `kind`: "tools", "prompts" or
  // "resourceTemplates") and the page's proof to `result_meta`.
  virtual Status Sign(std::string_view kind, json::Array& items, json::Object& result_meta) = 0;
};

enum class AuthMode { kOff, kOptional, kRequired };

struct CallContext;

// RequestRouter serves the catalog methods (tools/*, resources/*, prompts/*,
// completion/complete) in place of the server's own registrations: a gateway answers them from
// its upstreams. The server keeps the handshake, sessions, eras, authentication and signing.
class RequestRouter {
 public:
  virtual ~RequestRouter() = default;
  virtual std::variant<json::Value, RpcError> Route(const Request& request, const RequestInfo& info, CallContext& ctx) = 0;
  // Capabilities announced for the routed methods ({"tools": {...}, ...}).
  virtual json::Object Capabilities() const = 0;
  // ToolInputSchema returns a routed tool's input schema (HTTP checks Mcp-Param-* headers by it).
  virtual std::optional<json::Value> ToolInputSchema(std::string_view name) const = 0;
};

// InputRequired asks the client for more input (2026-07-28 multi-round-trip requests): the
// client fulfils `input_requests` (elicitation, sampling, roots) and retries the same request
// with `inputResponses` and the sealed `state`.
struct InputRequired {
  json::Object input_requests;
  std::string state;
};

// HandlerContext is what a tool or prompt handler sees of its request: progress and logging,
// cancellation, the client's capabilities, and the multi-round-trip exchange.
class HandlerContext {
 public:
  HandlerContext(const RequestInfo& info, std::function<void(json::Object)> notify, std::shared_ptr<Cancellation> cancelled,
                 std::string log_level, json::Object client_capabilities, json::Object input_responses, std::string request_state);
  const RequestInfo& request() const { return info_; }
  // Progress sends notifications/progress when the caller asked for it (a progressToken).
  void Progress(double progress, std::optional<double> total = std::nullopt, const std::string& message = "");
  // Log sends notifications/message at `level` if the client's level admits it.
  void Log(std::string_view level, json::Value data);
  bool cancelled() const { return cancelled_ && cancelled_->cancelled(); }

  const json::Object& client_capabilities() const { return capabilities_; }
  bool HasClientCapability(std::string_view name) const { return capabilities_.contains(name); }
  // The responses the client sent for an earlier InputRequired, and the state it echoed
  // (already verified and opened; empty on the first round).
  const json::Object& input_responses() const { return input_responses_; }
  const std::string& request_state() const { return request_state_; }

  // RequireInput answers this round with an input_required result instead of the handler's
  // return value. Only modern (2026-07-28) requests can carry it; legacy ones get an error.
  void RequireInput(InputRequired input) { input_required_ = std::move(input); }
  // RequireCapability records that the client lacks `name`: the request fails with -32021.
  void FailMissingCapability(std::string name) { missing_capability_ = std::move(name); }

  const std::optional<InputRequired>& input_required() const { return input_required_; }
  const std::optional<std::string>& missing_capability() const { return missing_capability_; }

 private:
  const RequestInfo& info_;
  std::function<void(json::Object)> notify_;
  std::shared_ptr<Cancellation> cancelled_;
  std::string log_level_;
  json::Object capabilities_;
  json::Object input_responses_;
  std::string request_state_;
  std::optional<InputRequired> input_required_;
  std::optional<std::string> missing_capability_;
};
using ToolContext = HandlerContext;

struct ToolResult {
  json::Array content;
  std::optional<json::Value> structured;
  bool is_error = false;
  static ToolResult Text(std::string text);
  // Structured returns `value` as structuredContent, with its JSON text as the text content
  // (for clients that read only text).
  static ToolResult Structured(json::Object value);
  static ToolResult Error(std::string text);
};

using ToolHandler = std::function<Result<ToolResult>(const json::Object& arguments, ToolContext& ctx)>;

struct ToolDef {
  std::string name;
  std::string title;
  std::string description;
  json::Value input_schema = json::Object{{"type", "object"}};
  std::optional<json::Value> output_schema;
  json::Object annotations;
  ToolHandler handler;
};

// ResourceContents is one entry of a resources/read result: {uri, mimeType, text|blob}.
using ReadHandler = std::function<Result<json::Array>(const std::string& uri, const std::map<std::string, std::string>& vars)>;
struct ResourceDef {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};
struct ResourceTemplateDef {
  std::string uri_template;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  ReadHandler read;
  // list returns the concrete resources this template currently covers (for resources/list).
  std::function<std::vector<ResourceDef>()> list;
  // complete returns candidate values for a template variable.
  std::function<std::vector<std::string>(const std::string& var, const std::string& prefix)> complete;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};
struct PromptDef {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  std::function<Result<json::Object>(const std::map<std::string, std::string>& args, HandlerContext& ctx)> get;
  std::function<std::vector<std::string>(const std::string& arg, const std::string& prefix)> complete;
};

// CallContext is what a transport knows about one incoming message.
struct CallContext {
  Session* session = nullptr;                // Legacy session, if the transport has one.
  std::function<void(json::Object)> notify;  // Sends a notification related to this request.
  std::shared_ptr<Cancellation> cancelled;   // Set by the transport when the client goes away.
  const authn::HttpInfo* http = nullptr;     // Set by the HTTP transport.
  // Set by the HTTP transport when a tools/call lacks Mcp-Param-* headers its tool's schema asks
  // for. The call is refused (HeaderMismatch) only once the caller is known and allowed the
  // tool: a caller who may not use it is told so, not that it missed headers for a tool whose
  // schema it was never shown.
  std::optional<std::string> missing_param_headers;
};

struct ServerOptions {
  std::string instructions;
  // Authentication of requests: with kRequired every request except the handshake
  // (initialize, server/discover, ping) and notifications must carry a valid credential.
  std::shared_ptr<authn::RequestAuthenticator> authenticator;
  AuthMode auth_mode = AuthMode::kOff;
  std::shared_ptr<ResultSigner> result_signer;
  std::shared_ptr<DefinitionSigner> definition_signer;
  std::shared_ptr<RequestRouter> router;  // Set: catalog methods go to it.
  // Key for sealing MRTR requestState; empty: a random per-process key.
  std::optional<crypto::SecretBytes> request_state_key;
  std::size_t page_size = 100;
  std::int64_t list_ttl_ms = 60000;
};

class McpServer {
 public:
  McpServer(Implementation info, ServerOptions options = {});

  // AddTool fails on a duplicate or badly formed name, or an invalid input schema.
  Status AddTool(ToolDef tool);
  Status AddResource(ResourceDef resource, ReadHandler read);
  Status AddResourceTemplate(ResourceTemplateDef t);
  Status AddPrompt(PromptDef prompt);

  // Handle processes one message. For a request it returns the response; for notifications and
  // responses, nullopt. Thread-safe: transports may call it from several threads.
  std::optional<json::Object> Handle(const Message& message, CallContext& ctx);

  // SetAuthenticator and SetResultSigner install the signed-call plug-ins; call before serving.
  void SetAuthenticator(std::shared_ptr<authn::RequestAuthenticator> a, AuthMode mode) {
    options_.authenticator = std::move(a);
    options_.auth_mode = mode;
  }
  void SetResultSigner(std::shared_ptr<ResultSigner> s) { options_.result_signer = std::move(s); }
  void SetDefinitionSigner(std::shared_ptr<DefinitionSigner> s) { options_.definition_signer = std::move(s); }
  // SetSessionAuthenticator names who checks the credential of `initialize` (the owner of the
  // session it opens) when requests are authenticated elsewhere (a gateway's pipeline); by
  // default the request authenticator does.
  void SetSessionAuthenticator(std::shared_ptr<authn::RequestAuthenticator> a) { session_authenticator_ = std::move(a); }
  // SessionOwner authenticates the credentials an HTTP request carries outside a JSON-RPC body
  // (API key, bearer token, RFC 9421 signature), for requests that have none (DELETE): the
  // principal's key, "" for none, or nullopt for a bad credential.
  std::optional<std::string> SessionOwner(const authn::HttpInfo& http) const;
  void SetRouter(std::shared_ptr<RequestRouter> r) { options_.router = std::move(r); }

  // IsKnownMethod is true for methods this server implements (HTTP maps others to 404).
  static bool IsKnownMethod(std::string_view method);
  const Implementation& info() const { return info_; }
  // ToolByName returns the tool or nullptr.
  const ToolDef* ToolByName(std::string_view name) const;
  // ToolInputSchema returns the input schema of a tool, registered or routed (the HTTP
  // transport reads its x-mcp-header annotations).
  std::optional<json::Value> ToolInputSchema(std::string_view name) const;

 private:
  std::shared_ptr<authn::RequestAuthenticator> session_authenticator_;
  using Outcome = std::variant<json::Value, RpcError>;
  Outcome Dispatch(const Request& r, const RequestInfo& info, CallContext& ctx);
  // SignDefinitions has the definition signer sign a listing result (a no-op for other methods).
  Status SignDefinitions(const std::string& method, json::Object& result);
  json::Object Capabilities() const;
  Outcome Initialize(const Request& r, CallContext& ctx);
  Outcome Discover();
  Outcome ListTools(const json::Object& params);
  Outcome CallTool(const Request& r, const RequestInfo& info, CallContext& ctx);
  Outcome ListResources(const json::Object& params);
  Outcome ListTemplates(const json::Object& params);
  Outcome ReadResource(const json::Object& params, const RequestInfo& info);
  Outcome ListPrompts(const json::Object& params);
  Outcome GetPrompt(const Request& r, const RequestInfo& info, CallContext& ctx);
  Outcome Complete(const json::Object& params);
  void Cancel(const json::Object& params, CallContext& ctx);
  // MakeContext opens the request's sealed state (if any) and builds the handler context.
  std::variant<std::unique_ptr<HandlerContext>, RpcError> MakeContext(const Request& r, const RequestInfo& info, CallContext& ctx,
                                                                      const std::string& binding, std::shared_ptr<Cancellation> cancelled);
  // Finish turns what a handler asked for (input, a missing capability) into the outcome.
  std::optional<Outcome> Interrupted(const HandlerContext& hctx, const RequestInfo& info, const std::string& binding);

  Implementation info_;
  ServerOptions options_;
  std::vector<ToolDef> tools_;
  std::vector<JsonSchema> tool_schemas_;
  std::vector<std::pair<ResourceDef, ReadHandler>> resources_;
  std::vector<std::pair<ResourceTemplateDef, UriTemplate>> templates_;
  std::vector<PromptDef> prompts_;
  RequestStateSealer sealer_;

  // InFlight files a request's cancellation under its session and id while it runs, so a
  // notifications/cancelled naming it reaches it.
  struct InFlight {
    InFlight(McpServer& server, std::string key, std::shared_ptr<Cancellation> cancellation) : server_(server), key_(std::move(key)) {
      std::lock_guard lock(server_.inflight_mu_);
      server_.inflight_[key_] = std::move(cancellation);
    }
    ~InFlight() {
      std::lock_guard lock(server_.inflight_mu_);
      server_.inflight_.erase(key_);
    }
    McpServer& server_;
    std::string key_;
  };
  std::mutex inflight_mu_;
  std::map<std::string, std::shared_ptr<Cancellation>> inflight_;  // session|id → cancelled flag.
};

}  // namespace aip::mcp
