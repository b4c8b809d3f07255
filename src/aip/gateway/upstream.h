// Upstream: one MCP server behind the gateway, as the pipeline sees it — a name, its
// configuration, whether it is up, what it offers (its Catalog) and Forward. McpUpstream
// (mcp_upstream.h) is the real one; tests put fakes behind the same interface.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aip/authn/principal.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/gateway/catalog.h"
#include "aip/gateway/config.h"
#include "aip/mcp/client.h"

namespace aip::gateway {

// The _meta key under which a re-signed forwarded request names the original caller.
inline constexpr std::string_view kCallerMetaKey = "dev.aip/caller";

struct ForwardOptions {
  std::string traceparent;                   // W3C trace context for the upstream.
  const authn::Principal* caller = nullptr;  // Named in _meta when the gateway re-signs.
  mcp::NotificationHandler on_notification;
  // Set when the caller leaves: the upstream call is given up at once.
  std::shared_ptr<Cancellation> cancellation;
};

class Upstream {
 public:
  virtual ~Upstream() = default;

  virtual void Start() {}
  virtual void Stop() {}
  // AbortCalls ends the calls in flight at once (each gets an error): a shutdown past its grace.
  virtual void AbortCalls() {}
  // WaitUntilUp waits up to `timeout` for the first connection; false if it is still down.
  virtual bool WaitUntilUp(std::chrono::milliseconds) { return up(); }

  const std::string& name() const { return config().name; }
  virtual const UpstreamConfig& config() const = 0;
  virtual bool up() const = 0;
  virtual int restarts() const { return 0; }
  virtual std::string last_error() const { return ""; }
  // The catalog as last listed; null before the first listing.
  virtual std::shared_ptr<const Catalog> catalog() const = 0;

  // Forward sends `method` with `params` and returns the upstream's response message
  // ({"result": ...} or its {"error": ...}); kUnavailable when it is down or failed mid-call.
  virtual Result<json::Object> Forward(const std::string& method, json::Object params, const ForwardOptions& options) = 0;
};

}  // namespace aip::gateway
