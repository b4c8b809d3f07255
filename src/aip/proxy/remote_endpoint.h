// RemoteEndpoint: the remote Streamable HTTP MCP server as `aip proxy` reaches it. It signs each
// JSON-RPC request with the local identity (a fresh proof, so a fresh nonce, every time — also
// when a request is sent again), adds the credentials configured beside the proof (an API key,
// a bearer token, an OAuth login, an RFC 9421 signature), answers the server's OAuth
// challenges through the authorizer, and checks signed results. Both bridges (stdio and local
// HTTP) send through it; neither knows how a request is secured.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"
#include "aip/mcp/client.h"
#include "aip/net/http.h"
#include "aip/net/http_client.h"

namespace aip::proxy {

// kUnverifiedResultCode answers a request whose result was not signed by the server the user
// insisted on (--server-did / --require-signed-result / --require-server-trust); data.reason
// says what was wrong.
inline constexpr int kUnverifiedResultCode = -31004;

struct RemoteOptions {
  std::string url;                                   // "https://gw.example.com/mcp".
  std::shared_ptr<const identity::Identity> signer;  // Null: requests go unsigned.
  std::string audience;                              // Empty: the URL.
  std::chrono::seconds proof_lifetime{120};
  mcp::HttpRequestSigner http_hook;                 // Credentials beside the proof; RFC 9421.
  std::shared_ptr<mcp::HttpAuthorizer> authorizer;  // OAuth sign-in on a challenge.
  std::optional<std::string> expected_server;       // Results must be signed by this DID.
  bool require_signed_result = false;
  // Server trust: results must be signed by a DID this check accepts (an error says why not).
  std::function<Status(const std::string& signer_did)> check_signer;
  std::shared_ptr<const identity::DidResolver> resolver;  // For result proofs; default: did:key, did:web.
  net::HttpClientOptions http;                            // Deadline and limits of each exchange.
};

// Exchange is one HTTP exchange in progress; Abort cuts it from another thread.
class Exchange {
 public:
  void Abort();
  bool aborted() const;
  // The request as signed for the attempt in progress (for checking a result that streams in);
  // read it only from the thread that sends.
  const json::Object& request() const { return request_; }

 private:
  friend class RemoteEndpoint;
  mutable std::mutex mu_;
  net::HttpClient* client_ = nullptr;
  bool aborted_ = false;
  json::Object request_;
};

class RemoteEndpoint {
 public:
  static Result<std::unique_ptr<RemoteEndpoint>> Create(RemoteOptions options);

  // Send sends one HTTP request to the endpoint. A JSON-RPC request in `body` is signed first
  // (`body` is then the signed text, and `sent` the signed request, for checking the result).
  // `headers` are the MCP transport headers (session, protocol version, Mcp-*); credentials are
  // added here. A 401 or 403 goes to the authorizer, which may sign the user in for another try.
  struct Sent {
    net::HttpResponse response;
    json::Object request;  // As sent (with its proof), when the message was a request.
  };
  Result<Sent> Send(std::string_view method, const std::optional<json::Object>& message, net::Headers headers, Exchange* exchange,
                    const std::function<void(const net::SseEvent&)>& on_event = nullptr,
                    const std::function<void(int, const net::Headers&)>& on_head = nullptr);

  // CheckResult applies the result-signature requirements to `response` (a response message to
  // `request`): unchanged when they hold, else replaced by a kUnverifiedResultCode error.
  json::Object CheckResult(const json::Object& request, json::Object response) const;
  bool checks_results() const {
    return options_.require_signed_result || options_.expected_server.has_value() || options_.check_signer != nullptr;
  }

  const std::string& url() const { return options_.url; }
  const net::Url& parsed_url() const { return url_; }

 private:
  RemoteEndpoint(RemoteOptions options, net::Url url);
  std::unique_ptr<net::HttpClient> Acquire();
  void Release(std::unique_ptr<net::HttpClient> client);

  RemoteOptions options_;
  net::Url url_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<net::HttpClient>> idle_;  // Kept-alive connections.
};

// IsResponse: a JSON-RPC response (a result or an error, no method).
bool IsResponse(const json::Object& message);

// IsStrayResponse: `message` is a response (result or error, no method) but not the answer to
// `id` (null `id`: a stream that answers no request, such as the session's own). The bridges
// drop these: a remote could otherwise hand the client an answer to another of its requests,
// which no result-signature check would have seen.
bool IsStrayResponse(const json::Object& message, const json::Value* id);

// ErrorMessage builds the JSON-RPC error response the local client gets for `id` when the remote
// gave no answer of its own; data.reason is a stable code ("remote_unavailable", ...).
json::Object ErrorMessage(const json::Value& id, int code, std::string message, std::string_view reason);

// AnswerFromHttp turns the remote's answer to a request into the response message the local
// client gets: the JSON-RPC response in the body (a JSON-RPC error on a 4xx included, so a
// refusal keeps its reason), else an error naming the HTTP status.
json::Object AnswerFromHttp(const json::Value& id, const net::HttpResponse& response);

}  // namespace aip::proxy
