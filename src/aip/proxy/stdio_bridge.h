// RunStdioBridge: `aip proxy URL` as the local client sees it — a stdio MCP server (what Claude
// Desktop, Cursor or VS Code launch) that relays every message to the remote Streamable HTTP
// server, each request signed by the local identity (RemoteEndpoint).
//
// What passes, in both directions: requests and their answers, notifications (progress,
// logging, list_changed), cancellation (forwarded, and the request's HTTP exchange cut — the
// 2026 signal), server-to-client requests on a response stream or on the session's own stream
// (sampling, elicitation, roots) and the client's answers to them, in whichever era the local
// client speaks: a legacy client's initialize is relayed and its session kept (Mcp-Session-Id,
// MCP-Protocol-Version); a 2026 client's stateless requests carry their own version. When a
// 2026 server answers a legacy client's request with `input_required`, the proxy asks the client
// itself (elicitation/create, sampling/createMessage, roots/list — requests a legacy client
// knows) and sends the request again with the answers and the server's requestState.
//
// Failures become JSON-RPC errors the client can show, never a hang: an unreachable remote, a
// timeout, an HTTP error without a JSON-RPC body. A remote that restarts and forgets the
// session (404) is initialized again with the client's own initialize and the request retried
// once. Stdout carries protocol only; everything else goes to `log`.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "aip/base/status.h"
#include "aip/proxy/definition_screen.h"
#include "aip/proxy/remote_endpoint.h"

namespace aip::proxy {

struct StdioBridgeOptions {
  int in_fd = 0;
  int out_fd = 1;
  std::size_t max_line_bytes = 4 * 1024 * 1024;
  int max_in_flight = 64;  // Requests relayed at once; more are answered "busy".
  std::function<void(std::string_view line)> log;
  // Tool integrity: listings screened against the user's pins, calls to withheld items refused.
  std::shared_ptr<DefinitionScreen> screen;
};

// RunStdioBridge returns when the input ends, after the requests in flight are answered.
Status RunStdioBridge(RemoteEndpoint& remote, const StdioBridgeOptions& options);

}  // namespace aip::proxy
