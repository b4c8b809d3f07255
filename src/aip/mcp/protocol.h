// MCP protocol revisions and the two eras aip speaks: legacy (initialize + sessions:
// 2024-11-05 … 2025-11-25) and modern (stateless, per-request _meta: 2026-07-28).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"

namespace aip::mcp {

inline constexpr std::string_view kModernVersion = "2026-07-28";
inline constexpr std::string_view kLatestLegacyVersion = "2025-11-25";
inline constexpr std::string_view kDefaultHttpLegacyVersion = "2025-03-26";  // No header: assume this.

// Reserved _meta keys (2026-07-28).
inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";

const std::vector<std::string>& LegacyVersions();  // Newest first.
const std::vector<std::string>& ModernVersions();
bool IsLegacyVersion(std::string_view v);
bool IsModernVersion(std::string_view v);

// NegotiateLegacyVersion echoes a supported requested version, else offers the latest legacy one.
std::string NegotiateLegacyVersion(std::string_view requested);

// RequestMeta returns params._meta, or nullptr.
const json::Object* RequestMeta(const json::Object& params);
// ModernVersionOf returns the per-request protocol version of a modern request, if present.
std::optional<std::string> ModernVersionOf(const json::Object& params);

// ValidateModernMeta checks the per-request _meta of a 2026 request: an error object
// ({code,message,data}) for an unsupported version (-32022) or missing client capabilities
// (-32602), or nullopt when valid.
std::optional<json::Object> ValidateModernMeta(const json::Object& params);

struct Implementation {
  std::string name;
  std::string version;
  std::string title;
  json::Object ToJson() const;
};

}  // namespace aip::mcp
