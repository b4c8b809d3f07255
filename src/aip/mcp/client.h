// McpClient: the MCP client SDK. It negotiates the era on Connect — `server/discover` first
// (2026-07-28, stateless), falling back to legacy `initialize` — then lists and calls tools,
// reads resources and gets prompts over stdio (a spawned server) or Streamable HTTP.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/mcp/protocol.h"
#include "aip/net/http.h"
#include "aip/net/http_client.h"

namespace aip::mcp {

using NotificationHandler = std::function<void(const json::Object& notification)>;

// ClientTransport carries one request and its response (plus related notifications).
class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Roundtrip returns the response message ({result} or {error}) for `request`. HTTP sends
  // `headers` too (Mcp-Param-* mirrors of annotated arguments); stdio has no headers.
  virtual Result<json::Object> Roundtrip(const json::Object& request, const std::vector<std::pair<std::string, std::string>>& headers,
                                         const NotificationHandler& on_notification, std::chrono::milliseconds timeout) = 0;
  virtual Status Notify(const json::Object& notification) = 0;
  // SetLegacySession is called after a legacy initialize (HTTP keeps the session and version).
  virtual void SetLegacy(const std::string& protocol_version) { (void)protocol_version; }
  virtual void Close() {}
  // Abort may be called from another thread while Roundtrip runs: the exchange fails at once and
  // the transport is unusable afterwards (a shutdown that cannot wait for a slow server).
  virtual void Abort() {}
  // Cancel may be called from another thread while Roundtrip runs: the caller no longer wants
  // the answer. Roundtrip soon returns an error; the server is told (stdio: notifications/
  // cancelled, the process kept) or its stream closed (HTTP: this transport is then unusable).
  // Returns whether the transport is still usable afterwards.
  virtual bool Cancel() {
    Abort();
    return false;
  }
};

// Spawns `argv` and speaks newline-delimited JSON-RPC on its stdin/stdout.
struct StdioClientOptions {
  std::optional<std::vector<std::string>> env;  // Set: the child's whole environment ("NAME=value").
  // Each line the server writes to stderr; unset: copied to ours as "[server] <line>".
  std::function<void(std::string_view line)> on_stderr;
};
Result<std::unique_ptr<ClientTransport>> StdioClientTransport(const std::vector<std::string>& argv, const StdioClientOptions& options = {});
// HttpRequestSigner may add headers to each outgoing HTTP request (an RFC 9421 signature).
using HttpRequestSigner =
    std::function<Status(std::string_view method, std::string_view url, net::Headers& headers, std::string_view body)>;

// WithCredential sets `header` to `value` on each request (an API key in X-Api-Key, or
// "Bearer <token>" in Authorization), then runs `next` (a signer) if set.
HttpRequestSigner WithCredential(std::string header, std::string value, HttpRequestSigner next = nullptr);

// HttpAuthorizer supplies each request's credential and answers the server's challenges: when a
// request is refused with 401 (no or a bad credential) or 403 (insufficient scope), it may obtain
// a new credential — an OAuth login, a step-up to more scopes — and have the request sent again.
class HttpAuthorizer {
 public:
  virtual ~HttpAuthorizer() = default;
  // Authorize sets the credential headers of a request about to be sent (none before a login).
  virtual Status Authorize(net::Headers& headers) = 0;
  // OnChallenge is given a 401 or 403 answer's status and headers. Ok: a new credential is ready,
  // send the request again. An error: give up with it.
  virtual Status OnChallenge(int status, const net::Headers& response_headers) = 0;
};

// A request is sent again after at most this many challenges, so a server that keeps refusing
// cannot keep a client authorizing forever.
inline constexpr int kMaxAuthorizationRetries = 3;

// Streamable HTTP to `url` ("http://127.0.0.1:8080/mcp").
Result<std::unique_ptr<ClientTransport>> HttpClientTransport(const std::string& url, HttpRequestSigner signer = nullptr,
                                                             net::HttpClientOptions options = {},
                                                             std::shared_ptr<HttpAuthorizer> authorizer = nullptr);

// StreamableHttpHeaders: what a Streamable HTTP client sends with `message` — content type,
// Accept, the session, the protocol version (a 2026 request's _meta, else the legacy session's),
// and a 2026 request's Mcp-Method and Mcp-Name.
net::Headers StreamableHttpHeaders(const json::Object& message, std::string_view session, std::string_view legacy_version);
// ParamHeadersFor mirrors the arguments whose schema property says "x-mcp-header" into
// Mcp-Param-* headers (2026-07-28); values that are not plain visible ASCII go as =?base64?…?=.
std::vector<std::pair<std::string, std::string>> ParamHeadersFor(const json::Object& input_schema, const json::Object& args);

struct ClientOptions {
  Implementation client_info{"aip", "0.1.0", ""};
  std::chrono::milliseconds timeout{30000};
  bool try_modern = true;  // Probe server/discover before falling back to initialize.
  // Called on every request before it is sent (a signer adds its proof here).
  std::function<Status(json::Object& request)> before_send;
  // Called on every result with the request it answers (a verifier checks a signed result).
  std::function<Status(const json::Object& request, const json::Object& result)> after_receive;
  // Called with the exact request about to be sent (for --print-request).
  std::function<void(const json::Object& request)> on_send;
};

class McpClient {
 public:
  McpClient(std::unique_ptr<ClientTransport> transport, ClientOptions options = {});
  ~McpClient();

  Status Connect();
  bool modern() const { return modern_; }
  const std::string& protocol_version() const { return version_; }
  const json::Object& server_info() const { return server_info_; }
  const json::Object& server_capabilities() const { return capabilities_; }

  // PageObserver sees each listing page's whole result (its _meta included) as it arrives.
  using PageObserver = std::function<void(const json::Object& page)>;
  Result<json::Array> ListTools(const PageObserver& observe = nullptr);  // All pages.
  Result<json::Object> CallTool(const std::string& name, const json::Object& arguments, const NotificationHandler& on_progress = nullptr);
  Result<json::Array> ListResources();
  Result<json::Object> ReadResource(const std::string& uri);
  Result<json::Array> ListPrompts(const PageObserver& observe = nullptr);
  Result<json::Object> GetPrompt(const std::string& name, const json::Object& arguments);
  // Request sends any method; the result object, or kUnavailable/kInvalidArgument with the
  // JSON-RPC error message ("-32601: Method not found").
  Result<json::Object> Request(const std::string& method, json::Object params, const NotificationHandler& on_notification = nullptr);
  // Exchange sends any method and returns the whole response message: {"result": ...} or the
  // server's {"error": ...} as it sent it (a gateway passes errors on unchanged). Transport
  // failures are errors.
  Result<json::Object> Exchange(const std::string& method, json::Object params, const NotificationHandler& on_notification = nullptr);
  void Close();
  // Abort ends an exchange in progress on another thread (see ClientTransport::Abort).
  void Abort();
  // Cancel gives up the exchange in progress (see ClientTransport::Cancel); false when this
  // client cannot be used again.
  bool Cancel();

 private:
  Result<json::Array> ListAll(const std::string& method, const std::string& key, const PageObserver& observe = nullptr);
  // Send returns the response message: the server's error as sent, or a checked result.
  Result<json::Object> Send(const std::string& method, json::Object params, const std::vector<std::pair<std::string, std::string>>& headers,
                            const NotificationHandler& on_notification);
  // ParamHeaders mirrors arguments whose schema says "x-mcp-header" into Mcp-Param-* headers.
  Result<std::vector<std::pair<std::string, std::string>>> ParamHeaders(const std::string& tool, const json::Object& args);
  std::map<std::string, json::Object> tool_schemas_;  // Filled by ListTools.
  bool tools_listed_ = false;
  std::unique_ptr<ClientTransport> transport_;
  ClientOptions options_;
  bool modern_ = false;
  std::string version_;
  json::Object server_info_;
  json::Object capabilities_;
  std::int64_t next_id_ = 1;
};

}  // namespace aip::mcp
