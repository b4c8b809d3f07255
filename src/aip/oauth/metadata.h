// Reading OAuth discovery documents: an authorization server's metadata (RFC 8414, else OpenID
// Connect discovery) and a protected resource's metadata (RFC 9728). Each must name exactly the
// issuer or resource it was fetched for, so a document cannot speak for someone else. Only
// https URLs are fetched, or http to a loopback address.
#pragma once

#include <string>
#include <vector>

#include "aip/base/json.h"
#include "aip/net/http_client.h"

namespace aip::oauth {

// CheckFetchableUrl: https, or http to a loopback host.
Status CheckFetchableUrl(const std::string& url);

// GetJson fetches a JSON document (at most 1 MiB) from a fetchable URL.
Result<json::Value> GetJson(const std::string& url, const net::HttpClientOptions& http);

// AuthorizationServer is what aip reads of an authorization server's metadata (RFC 8414 §2).
// Members it does not use are ignored, as the RFC says; one it uses that has the wrong type or
// size refuses the whole document, with the member's JSON Pointer.
struct AuthorizationServer {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string registration_endpoint;
  std::string jwks_uri;
  std::vector<std::string> scopes_supported;
  std::vector<std::string> code_challenge_methods_supported;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  bool client_id_metadata_document_supported = false;
  bool authorization_response_iss_parameter_supported = false;
};

// ProtectedResource is what aip reads of a protected resource's metadata (RFC 9728 §2).
struct ProtectedResource {
  std::string resource;
  std::vector<std::string> authorization_servers;
  std::vector<std::string> scopes_supported;
};

// ReadAuthorizationServer and ReadProtectedResource read a fetched document (required: issuer,
// resource); they do not check whom it names — the fetchers below do.
Result<AuthorizationServer> ReadAuthorizationServer(const json::Object& document);
Result<ProtectedResource> ReadProtectedResource(const json::Object& document);

// AuthorizationServerMetadata fetches the metadata of `issuer`, trying in turn (RFC 8414 §3.1,
// OpenID Connect Discovery, and the MCP authorization spec's order) for an issuer with a path
// /.well-known/oauth-authorization-server<path>, /.well-known/openid-configuration<path> and
// <path>/.well-known/openid-configuration; without a path, the first two. The document must name
// exactly `issuer`.
Result<AuthorizationServer> AuthorizationServerMetadata(const std::string& issuer, const net::HttpClientOptions& http);

// ProtectedResourceMetadata fetches the metadata of the MCP endpoint at `server_url`: from
// `metadata_url` when the server named one (WWW-Authenticate resource_metadata), else from
// /.well-known/oauth-protected-resource<path>, else the bare well-known URL. The document's
// `resource` must cover `server_url` (ResourceCovers); its value is what tokens are asked for.
Result<ProtectedResource> ProtectedResourceMetadata(const std::string& server_url, const net::HttpClientOptions& http,
                                                    const std::string& metadata_url = "");

// ResourceCovers: `resource` has the scheme, host and port of `server_url`, no query or
// fragment, and a path that is the server's path or a whole-segment prefix of it.
bool ResourceCovers(std::string_view resource, std::string_view server_url);

// StringOf returns a string member, or "" when absent or not a string (error answers, read
// only to be shown).
std::string StringOf(const json::Object& o, std::string_view key);

}  // namespace aip::oauth
