#include "aip/oauth/metadata.h"

#include <algorithm>

namespace aip::oauth {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

// WellKnownUrls: RFC 8414 §3.1 puts the well-known segment between the host and the path.
std::string WellKnown(const net::Url& u, std::string_view name) {
  return u.Origin() + "/.well-known/" + std::string(name) + (u.target == "/" ? "" : u.target.substr(0, u.target.find('?')));
}

}  // namespace

Status CheckFetchableUrl(const std::string& url) {
  auto u = net::ParseUrl(url);
  if (!u) return InvalidArgumentError("\"" + url + "\": " + u.error().message);
  if (u->scheme == "https" || (u->scheme == "http" && IsLoopbackHost(u->host))) return OkStatus();
  return InvalidArgumentError("\"" + url + "\": only https (or http to a loopback address) is fetched");
}

Result<json::Value> GetJson(const std::string& url, const net::HttpClientOptions& http) {
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(url));
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(url));
  net::HttpClientOptions options = http;
  options.max_response_bytes = std::min(options.max_response_bytes, kMaxDocumentBytes);
  net::HttpClient client(u, options);
  net::Headers h;
  h.Set("accept", "application/json");
  AIP_ASSIGN_OR_RETURN(net::HttpResponse res, client.Send("GET", u.target, h, ""));
  if (res.status != 200) return UnavailableError(url + " answered " + std::to_string(res.status));
  auto doc = json::ParseJson(res.body);
  if (!doc) return UnavailableError(url + ": not JSON: " + doc.error().message);
  return std::move(*doc);
}

Result<json::Object> AuthorizationServerMetadata(const std::string& issuer, const net::HttpClientOptions& http) {
  AIP_ASSIGN_OR_RETURN(net::Url iss, net::ParseUrl(issuer));
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string last_error;
  for (const std::string& url : {WellKnown(iss, "oauth-authorization-server"), base + "/.well-known/openid-configuration"}) {
    auto doc = GetJson(url, http);
    if (!doc) {
      last_error = doc.error().message;
      continue;
    }
    const json::Value* named = doc->is_object() ? doc->get_object().if_contains("issuer") : nullptr;
    if (named == nullptr || *named != json::Value(issuer)) return UnavailableError(url + " names another issuer");
    return std::move(doc->as_object());
  }
  return UnavailableError("no metadata for issuer " + issuer + ": " + last_error);
}

Result<json::Object> ProtectedResourceMetadata(const std::string& resource_url, const net::HttpClientOptions& http) {
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(resource_url));
  std::string last_error;
  for (const std::string& url : {WellKnown(u, "oauth-protected-resource"), u.Origin() + "/.well-known/oauth-protected-resource"}) {
    auto doc = GetJson(url, http);
    if (!doc) {
      last_error = doc.error().message;
      continue;
    }
    const json::Value* named = doc->is_object() ? doc->get_object().if_contains("resource") : nullptr;
    if (named == nullptr || *named != json::Value(resource_url)) return UnavailableError(url + " describes another resource");
    return std::move(doc->as_object());
  }
  return UnavailableError("no protected resource metadata for " + resource_url + ": " + last_error);
}

}  // namespace aip::oauth
