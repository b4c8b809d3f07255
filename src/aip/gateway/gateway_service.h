// GatewayService runs `aip gateway`: it assembles the ways in (auth/feature.h), the upstreams, the
// audit log and the pipeline from a GatewayConfig, serves MCP (Streamable HTTP, all eras) at
// /mcp with /metrics, /healthz and /readyz beside it, and reloads its configuration on demand
// (SIGHUP in the CLI) without dropping connections: a configuration that does not load is
// refused with its errors and the running one stays.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "aip/gateway/audit_log.h"
#include "aip/gateway/auth/feature.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"
#include "aip/gateway/pipeline/pipeline.h"
#include "aip/gateway/shared_stores.h"
#include "aip/trust/trust_view.h"
#include "aip/identity/identity.h"
#include "aip/mcp/http_transport.h"
#include "aip/mcp/server.h"
#include "aip/net/http_server.h"

namespace aip::gateway {

class TrustFeed;
class DefinitionGuard;

class GatewayService {
 public:
  // Start listens and starts the upstreams; `config_path` is re-read by Reload.
  static Result<std::unique_ptr<GatewayService>> Start(GatewayConfig config, std::string config_path,
                                                       std::shared_ptr<const identity::Identity> identity);
  ~GatewayService();

  // Reload re-reads the configuration file: rules, limits and upstreams change in place.
  Status Reload();
  // Tick does periodic work (timed audit checkpoints); call about once a second.
  void Tick();
  void Stop();

  std::string url() const { return url_; }
  std::uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  GatewayService() = default;
  std::shared_ptr<PipelineState> BuildState(const GatewayConfig& config, const PipelineState* previous);
  // Guard is the definition guard of pinned upstreams, over the configured pin file.
  std::shared_ptr<DefinitionGuard> Guard(const GatewayConfig& config);
  void Serve(const net::HttpRequest& request, net::Exchange& exchange);

  std::string config_path_;
  GatewayConfig config_;
  std::shared_ptr<const identity::Identity> identity_;
  std::shared_ptr<trust::TrustView> trust_view_;
  bool trust_store_up_ = true;             // Tick only.
  std::unique_ptr<TrustFeed> trust_feed_;  // [trust] registry.
  std::shared_ptr<Metrics> metrics_;
  std::shared_ptr<AuditLog> audit_;
  std::shared_ptr<DefinitionGuard> guard_;
  std::unique_ptr<SharedStores> stores_;
  std::shared_ptr<authn::ReplayCache> replay_;  // stores_->replay().
  std::vector<std::unique_ptr<AuthFeature>> auth_features_;
  std::string resource_;                     // Our canonical resource URI (RFC 8707).
  std::string protected_resource_metadata_;  // RFC 9728 document, when [oauth] is on.
  std::atomic<bool> ready_{false};           // Requests before start-up finished get 503.
  std::shared_ptr<Pipeline> router_;
  std::unique_ptr<mcp::McpServer> mcp_;
  std::unique_ptr<mcp::StreamableHttpTransport> transport_;
  std::unique_ptr<net::HttpServer> server_;
  std::mutex reload_mu_;
  std::string url_;
};

}  // namespace aip::gateway
