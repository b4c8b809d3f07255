// StreamableHttpTransport serves an McpServer over MCP Streamable HTTP, both eras:
//  - legacy (≤ 2025-11-25): `initialize` mints a random Mcp-Session-Id; later requests must
//    carry it (missing → 400, unknown → 404); GET opens an SSE stream kept alive with comments;
//    DELETE ends the session. Sessions are bounded (docs/mcp.md, "Sessions"): each belongs to
//    the principal that proved itself on initialize (others, and anonymous callers, can neither
//    use nor end it), ends after an idle timeout, and no caller — one principal, or one
//    address for anonymous sessions — may hold more than its share; anonymous sessions together
//    never take more than half, so a flood of them cannot lock authenticated callers out.
//    With a SessionSealer the id is the sealed session, and any instance sharing the secret
//    continues it (docs/scaling.md).
//  - modern (2026-07-28): stateless POST only; MCP-Protocol-Version, Mcp-Method, Mcp-Name and
//    Mcp-Param-* headers must match the body (400 + -32020); unknown methods get 404 + -32601.
// Every request is checked first: Host (DNS rebinding) and Origin (403), path (404), method
// (405), media types (415/406). A response becomes an SSE stream when the handler emits a
// notification (progress, logs) for a client that accepts one: notifications, then the response.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aip/mcp/server.h"
#include "aip/mcp/session_seal.h"
#include "aip/net/http_server.h"

namespace aip::mcp {

struct StreamableHttpOptions {
  std::string path = "/mcp";
  // Origins allowed besides loopback ones, exactly as sent ("https://app.example.com").
  std::vector<std::string> allowed_origins;
  // Host names allowed besides loopback ones (the Host header without its port).
  std::vector<std::string> allowed_hosts;
  std::chrono::milliseconds sse_keepalive{15000};
  std::size_t max_sessions = 10000;
  std::size_t max_sessions_per_caller = 256;  // Per principal, or per address when anonymous.
  std::chrono::milliseconds session_idle_timeout{10 * 60 * 1000};
  // With a sealer, a session id carries the session itself, so a request may reach any instance
  // that shares its secret (docs/scaling.md); without one, ids are random and sessions local.
  std::shared_ptr<const SessionSealer> session_sealer;
  // "https://mcp.example.com" when TLS ends before us or the public name differs: the base of
  // the target URI that HTTP message signatures cover. Empty: "http://" + Host.
  std::string public_base;
  // Sent with 401 answers: how to authenticate here.
  std::string www_authenticate = "DataIntegrity realm=\"mcp\", cryptosuite=\"eddsa-jcs-2022\"";
};

class StreamableHttpTransport {
 public:
  StreamableHttpTransport(McpServer& server, StreamableHttpOptions options);
  // Handle is the net::HttpHandler for the MCP endpoint.
  void Handle(const net::HttpRequest& request, net::Exchange& exchange);
  std::size_t session_count();
  // set_www_authenticate changes the 401 challenge, and set_resource_metadata the RFC 9728 URL
  // named in 403 insufficient_scope answers; only before requests are served.
  void set_www_authenticate(std::string challenge) { options_.www_authenticate = std::move(challenge); }
  void set_resource_metadata(std::string url) { resource_metadata_ = std::move(url); }

 private:
  void HandlePost(const net::HttpRequest& request, net::Exchange& exchange);
  void HandleGet(const net::HttpRequest& request, net::Exchange& exchange);
  void HandleDelete(const net::HttpRequest& request, net::Exchange& exchange);
  std::shared_ptr<Session> FindSession(const net::HttpRequest& request, net::Exchange& exchange);
  // AdmitSession keeps a session `initialize` opened, or says why it cannot (capacity).
  std::optional<std::string> AdmitSession(std::shared_ptr<Session> session);
  // Reopen rebuilds a sealed session this instance does not hold (another instance opened it, or
  // it went idle here); nullptr when the id is not a live sealed session or was ended here.
  std::shared_ptr<Session> Reopen(std::string_view id, const net::HttpRequest& request);
  void EraseLocked(const std::string& id);
  void SweepLocked(std::chrono::steady_clock::time_point now);

  McpServer& server_;
  StreamableHttpOptions options_;
  std::string resource_metadata_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::map<std::string, std::size_t> sessions_per_caller_;  // CallerKey → sessions held.
  std::size_t anonymous_sessions_ = 0;
  // Sealed ids ended here by DELETE (by digest), until they would have expired anyway (at most
  // max_sessions).
  std::map<std::string, std::chrono::steady_clock::time_point> ended_;
  std::chrono::steady_clock::time_point last_sweep_;
};

// HostOrOriginRefusal is the 403 for a request whose Host is neither loopback nor allowed, or
// whose Origin is present and neither loopback nor allowed (DNS rebinding); nullopt: proceed.
std::optional<net::HttpResponse> HostOrOriginRefusal(const net::HttpRequest& request, const std::vector<std::string>& allowed_hosts,
                                                     const std::vector<std::string>& allowed_origins);

// JsonHttpResponse builds an application/json response.
net::HttpResponse JsonHttpResponse(int status, const json::Value& body);

// DecodeHeaderValue reads an Mcp-Param-* value: plain ASCII, or "=?base64?<b64>?=".
Result<std::string> DecodeHeaderValue(std::string_view value);

}  // namespace aip::mcp
