#include "aip/oauth/metadata.h"

#include <algorithm>
#include <vector>

#include "aip/base/ascii.h"

namespace aip::oauth {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;

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

Result<json::Object> AuthorizationServerMetadata(const std::string& issuer, const net::HttpClientOptions& http) {
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
    const json::Value* named = doc->is_object() ? doc->get_object().if_contains("issuer") : nullptr;
    if (named == nullptr || *named != json::Value(issuer)) return UnavailableError(url + " names another issuer");
    return std::move(doc->as_object());
  }
  return UnavailableError("no metadata for issuer " + issuer + ": " + last_error);
}

Result<json::Object> ProtectedResourceMetadata(const std::string& server_url, const net::HttpClientOptions& http,
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
    std::string resource = StringOf(doc->get_object(), "resource");
    if (!ResourceCovers(resource, server_url)) {
      return UnavailableError(url + " describes another resource (\"" + resource + "\"), not " + server_url);
    }
    return std::move(doc->as_object());
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

std::vector<std::string> StringsOf(const json::Object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::Value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

std::string StringOf(const json::Object& o, std::string_view key) {
  const json::Value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace aip::oauth
