#include "aip/oauth/metadata.h"

#include <algorithm>
#include <vector>

#include "aip/base/ascii.h"
#include "aip/base/field_reader.h"

namespace aip::oauth {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxListItems = 256;
constexpr std::size_t kMaxNameBytes = 256;

bool IsLoopbackHost(std::string_view host) { return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127."); }

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

Result<AuthorizationServer> ReadAuthorizationServer(const json::Object& document) {
  json::FieldReader r(document);
  AuthorizationServer as;
  AIP_RETURN_IF_ERROR(r.String("issuer", as.issuer, json::Need::kRequired, kMaxUrlBytes));
  for (auto [key, out] : {std::pair{"authorization_endpoint", &as.authorization_endpoint}, std::pair{"token_endpoint", &as.token_endpoint},
                          std::pair{"registration_endpoint", &as.registration_endpoint}, std::pair{"jwks_uri", &as.jwks_uri}}) {
    AIP_RETURN_IF_ERROR(r.String(key, *out, json::Need::kOptional, kMaxUrlBytes));
  }
  for (auto [key, out] : {std::pair{"scopes_supported", &as.scopes_supported},
                          std::pair{"code_challenge_methods_supported", &as.code_challenge_methods_supported},
                          std::pair{"token_endpoint_auth_methods_supported", &as.token_endpoint_auth_methods_supported}}) {
    AIP_RETURN_IF_ERROR(r.Strings(key, *out, json::Need::kOptional, kMaxListItems, kMaxNameBytes));
  }
  AIP_RETURN_IF_ERROR(r.Bool("client_id_metadata_document_supported", as.client_id_metadata_document_supported));
  AIP_RETURN_IF_ERROR(r.Bool("authorization_response_iss_parameter_supported", as.authorization_response_iss_parameter_supported));
  return as;
}

Result<ProtectedResource> ReadProtectedResource(const json::Object& document) {
  json::FieldReader r(document);
  ProtectedResource pr;
  AIP_RETURN_IF_ERROR(r.String("resource", pr.resource, json::Need::kRequired, kMaxUrlBytes));
  AIP_RETURN_IF_ERROR(r.Strings("authorization_servers", pr.authorization_servers, json::Need::kOptional, kMaxListItems, kMaxUrlBytes));
  AIP_RETURN_IF_ERROR(r.Strings("scopes_supported", pr.scopes_supported, json::Need::kOptional, kMaxListItems, kMaxNameBytes));
  return pr;
}

Result<AuthorizationServer> AuthorizationServerMetadata(const std::string& issuer, const net::HttpClientOptions& http) {
  AIP_ASSIGN_OR_RETURN(net::Url iss, net::ParseUrl(issuer));
  if (iss.target.find_first_of("?#") != std::string::npos) return InvalidArgumentError("issuer " + issuer + " has a query");
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::vector<std::string> urls = {WellKnown(iss, "oauth-authorization-server"), WellKnown(iss, "openid-configuration")};
  if (iss.target != "/") urls.push_back(base + "/.well-known/openid-configuration");
  std::string last_error;
  for (const std::string& url : urls) {
    auto doc = GetJson(url, http);
    if (!doc) {
      last_error = doc.error().message;
      continue;
    }
    if (!doc->is_object()) return UnavailableError(url + " is not a JSON object");
    auto as = ReadAuthorizationServer(doc->get_object());
    if (!as) return UnavailableError(url + ": " + as.error().message);
    if (as->issuer != issuer) return UnavailableError(url + " names another issuer");
    return as;
  }
  return UnavailableError("no metadata for issuer " + issuer + ": " + last_error);
}

Result<ProtectedResource> ProtectedResourceMetadata(const std::string& server_url, const net::HttpClientOptions& http,
                                                    const std::string& metadata_url) {
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(server_url));
  std::vector<std::string> urls = {metadata_url};
  if (metadata_url.empty()) urls = {WellKnown(u, "oauth-protected-resource"), u.Origin() + "/.well-known/oauth-protected-resource"};
  std::string last_error;
  for (const std::string& url : urls) {
    auto doc = GetJson(url, http);
    if (!doc) {
      last_error = doc.error().message;
      continue;
    }
    if (!doc->is_object()) return UnavailableError(url + " is not a JSON object");
    auto pr = ReadProtectedResource(doc->get_object());
    if (!pr) return UnavailableError(url + ": " + pr.error().message);
    if (!ResourceCovers(pr->resource, server_url)) {
      return UnavailableError(url + " describes another resource (\"" + pr->resource + "\"), not " + server_url);
    }
    return pr;
  }
  return UnavailableError("no protected resource metadata for " + server_url + ": " + last_error);
}

bool ResourceCovers(std::string_view resource, std::string_view server_url) {
  auto r = net::ParseUrl(resource);
  auto s = net::ParseUrl(server_url);
  if (!r || !s || resource.find('#') != std::string_view::npos || r->target.find('?') != std::string::npos) return false;
  if (r->scheme != s->scheme || AsciiLower(r->host) != AsciiLower(s->host) || r->port != s->port) return false;
  std::string_view rp = r->target;
  std::string_view sp = std::string_view(s->target).substr(0, s->target.find('?'));
  while (!rp.empty() && rp.back() == '/') rp.remove_suffix(1);
  return sp.starts_with(rp) && (sp.size() == rp.size() || sp[rp.size()] == '/');
}

std::string StringOf(const json::Object& o, std::string_view key) {
  const json::Value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace aip::oauth
