// The registry's non-JSON outputs: the Atom event feed and SVG badges. Every string that came
// from a record is XML-escaped; nothing from a request is echoed unescaped.
#pragma once
#include <string>
#include <vector>

#include "aip/registry/registry_store.h"

namespace aip::registry {

// EscapeXml escapes & < > " ' (safe in element text and attribute values).
std::string EscapeXml(std::string_view text);

// AtomFeed renders log entries (newest first) as an Atom 1.0 feed.
std::string AtomFeed(const std::vector<LogEntry>& entries, std::string_view registry_url, TimePoint now);

// Badge renders a small SVG: "aip | <value>" in the given colour ("#4c1" registered, grey unknown).
std::string Badge(std::string_view label, std::string_view value, std::string_view colour);

}  // namespace aip::registry
