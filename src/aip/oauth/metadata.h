// Reading OAuth discovery documents: an authorization server's metadata (RFC 8414, else OpenID
// Connect discovery) and a protected resource's metadata (RFC 9728). Each must name exactly the
// issuer or resource it was fetched for, so a document cannot speak for someone else. Only
// https URLs are fetched, or http to a loopback address.
#pragma once

#include <string>

#include "aip/base/json.h"
#include "aip/net/http_client.h"

namespace aip::oauth {

// CheckFetchableUrl: https, or http to a loopback host.
Status CheckFetchableUrl(const std::string& url);

// GetJson fetches a JSON document (at most 1 MiB) from a fetchable URL.
Result<json::Value> GetJson(const std::string& url, const net::HttpClientOptions& http);

// AuthorizationServerMetadata fetches the metadata of `issuer`.
Result<json::Object> AuthorizationServerMetadata(const std::string& issuer, const net::HttpClientOptions& http);

// ProtectedResourceMetadata fetches the metadata of the resource at `resource_url` (an MCP
// endpoint): from /.well-known/oauth-protected-resource<path>, else the bare well-known URL.
Result<json::Object> ProtectedResourceMetadata(const std::string& resource_url, const net::HttpClientOptions& http);

}  // namespace aip::oauth
