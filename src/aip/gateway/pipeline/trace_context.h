// W3C trace context for a call through the gateway: the caller's trace continued (or a new one),
// and our span, which is also the audit line's request_id and the denial's correlationId.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aip::gateway {

struct TraceContext {
  std::string trace_id;
  std::string span_id;
  std::string child;  // The traceparent sent upstream: same trace, our span.
};

// ContinueTrace reads a traceparent ("00-<trace>-<parent>-<flags>") or starts a new trace.
TraceContext ContinueTrace(std::optional<std::string_view> traceparent);

}  // namespace aip::gateway
