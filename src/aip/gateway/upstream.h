// Upstream: one MCP server behind the gateway, over Streamable HTTP (a small pool of
// connections) or stdio (a spawned child, supervised). The gateway talks to it with its own
// requests, never the caller's: only this upstream's credential is attached, and the caller's
// headers, cookies and proofs stay behind. A supervisor thread connects, lists the upstream's
// tools, resources and prompts, and reconnects (respawns) with exponential backoff when it dies.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/identity/identity.h"
#include "aip/mcp/client.h"
#include "aip/authn/principal.h"

namespace aip::gateway {

// The _meta key under which a re-signed forwarded request names the original caller.
inline constexpr std::string_view kCallerMetaKey = "dev.aip/caller";

struct Catalog {
  json::Array tools, resources, resource_templates, prompts;
  json::Object capabilities;
};

struct ForwardOptions {
  std::string traceparent;                 // W3C trace context for the upstream.
  const authn::Principal* caller = nullptr;  // Named in _meta when the gateway re-signs.
  mcp::NotificationHandler on_notification;
};

class Upstream {
 public:
  Upstream(UpstreamConfig config, std::shared_ptr<const identity::Identity> gateway_identity, std::shared_ptr<Metrics> metrics);
  ~Upstream();
  Upstream(const Upstream&) = delete;
  Upstream& operator=(const Upstream&) = delete;

  void Start();
  void Stop();
  // WaitUntilUp waits up to `timeout` for the first connection; false if it is still down.
  bool WaitUntilUp(std::chrono::milliseconds timeout);

  const std::string& name() const { return config_.name; }
  const UpstreamConfig& config() const { return config_; }
  bool up() const { return up_.load(); }
  int restarts() const { return restarts_.load(); }
  std::string last_error() const;
  std::shared_ptr<const Catalog> catalog() const;

  // Forward sends `method` with `params` and returns the upstream's response message
  // ({"result": ...} or its {"error": ...}); kUnavailable when it is down or failed mid-call.
  Result<json::Object> Forward(const std::string& method, json::Object params, const ForwardOptions& options);

 private:
  Result<std::unique_ptr<mcp::McpClient>> NewClient();
  Status Refresh(mcp::McpClient& client);
  void Supervise();
  Result<std::unique_ptr<mcp::McpClient>> Acquire();
  void Release(std::unique_ptr<mcp::McpClient> client, bool healthy);

  UpstreamConfig config_;
  std::shared_ptr<const identity::Identity> identity_;
  std::shared_ptr<Metrics> metrics_;

  mutable std::mutex mu_;
  std::condition_variable state_cv_;  // The supervisor and WaitUntilUp: up/down/stopping changed.
  std::condition_variable pool_cv_;   // Callers waiting for a free connection.
  int pool_waiters_ = 0;
  std::vector<std::unique_ptr<mcp::McpClient>> idle_;
  int open_clients_ = 0;  // Idle plus in use.
  std::shared_ptr<const Catalog> catalog_;
  std::string last_error_;
  std::atomic<bool> up_{false};
  std::atomic<int> restarts_{0};
  bool stopping_ = false;
  bool ever_up_ = false;
  std::thread supervisor_;
};

}  // namespace aip::gateway
