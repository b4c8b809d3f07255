// McpUpstream: an upstream MCP server over Streamable HTTP (a small pool of connections) or
// stdio (a spawned child, supervised). The gateway talks to it with its own requests, never the
// caller's: only this upstream's credential is attached, and the caller's headers, cookies and
// proofs stay behind. A supervisor thread connects, lists the upstream's tools, resources and
// prompts, and reconnects (respawns) with exponential backoff when it dies.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "aip/gateway/definition_guard.h"
#include "aip/gateway/metrics.h"
#include "aip/gateway/upstream.h"
#include "aip/identity/identity.h"
#include "aip/mcp/client.h"

namespace aip::gateway {

class McpUpstream final : public Upstream {
 public:
  // `guard` screens each listing against the upstream's pins (null: none pinned).
  McpUpstream(UpstreamConfig config, std::shared_ptr<const identity::Identity> gateway_identity, std::shared_ptr<Metrics> metrics,
              std::shared_ptr<DefinitionGuard> guard = nullptr);
  ~McpUpstream() override;
  McpUpstream(const McpUpstream&) = delete;
  McpUpstream& operator=(const McpUpstream&) = delete;

  void Start() override;
  void Stop() override;
  void AbortCalls() override;
  bool WaitUntilUp(std::chrono::milliseconds timeout) override;

  const UpstreamConfig& config() const override { return config_; }
  bool up() const override { return up_.load(); }
  int restarts() const override { return restarts_.load(); }
  std::string last_error() const override;
  std::shared_ptr<const Catalog> catalog() const override;
  Result<json::Object> Forward(const std::string& method, json::Object params, const ForwardOptions& options) override;

 private:
  Result<std::unique_ptr<mcp::McpClient>> NewClient();
  Status Refresh(mcp::McpClient& client);
  // RefreshSoon asks the supervisor to re-read the catalog now (the upstream said it changed).
  void RefreshSoon();
  void Supervise();
  Result<std::unique_ptr<mcp::McpClient>> Acquire();
  void Release(std::unique_ptr<mcp::McpClient> client, bool healthy);
  // Discard ends a client whose call was cancelled: back to the pool if still usable, else closed
  // (the upstream is not marked down).
  void Discard(std::unique_ptr<mcp::McpClient> client, bool reusable);

  UpstreamConfig config_;
  std::shared_ptr<const identity::Identity> identity_;
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<DefinitionGuard> guard_;
  bool refresh_now_ = false;  // Guarded by mu_.

  mutable std::mutex mu_;
  std::condition_variable state_cv_;  // The supervisor and WaitUntilUp: up/down/stopping changed.
  std::condition_variable pool_cv_;   // Callers waiting for a free connection.
  int pool_waiters_ = 0;
  std::vector<std::unique_ptr<mcp::McpClient>> idle_;
  int open_clients_ = 0;                      // Idle plus in use.
  std::unordered_set<mcp::McpClient*> busy_;  // In use by a call: what AbortCalls ends.
  std::shared_ptr<const Catalog> catalog_;
  std::string last_error_;
  std::atomic<bool> up_{false};
  std::atomic<int> restarts_{0};
  bool stopping_ = false;
  bool ever_up_ = false;
  std::thread supervisor_;
};

}  // namespace aip::gateway
