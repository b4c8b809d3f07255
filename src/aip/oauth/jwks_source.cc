#include "aip/oauth/jwks_source.h"

namespace aip::oauth {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace

Status CheckFetchableUrl(const std::string& url) {
  auto u = net::ParseUrl(url);
  if (!u) return InvalidArgumentError("\"" + url + "\": " + u.error().message);
  if (u->scheme == "https" || (u->scheme == "http" && IsLoopbackHost(u->host))) return OkStatus();
  return InvalidArgumentError("\"" + url + "\": only https (or http to a loopback address) is fetched");
}

JwksSource::JwksSource(JwksSourceOptions options) : options_(std::move(options)) {
  if (options_.http.max_response_bytes > kMaxDocumentBytes) options_.http.max_response_bytes = kMaxDocumentBytes;
  jwks_uri_ = options_.jwks_uri;
}

std::shared_ptr<JwksSource> JwksSource::Fixed(jose::JwkSet keys) {
  auto source = std::make_shared<JwksSource>(JwksSourceOptions{});
  source->keys_ = std::make_shared<const jose::JwkSet>(std::move(keys));
  source->fixed_ = true;
  return source;
}

Result<json::Value> JwksSource::GetJson(const std::string& url) {
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(url));
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(url));
  net::HttpClient client(u, options_.http);
  net::Headers h;
  h.Set("accept", "application/json");
  AIP_ASSIGN_OR_RETURN(net::HttpResponse res, client.Send("GET", u.target, h, ""));
  if (res.status != 200) return UnavailableError(url + " answered " + std::to_string(res.status));
  auto doc = json::ParseJson(res.body);
  if (!doc) return UnavailableError(url + ": not JSON: " + doc.error().message);
  return std::move(*doc);
}

Result<std::string> JwksSource::JwksUri() {
  if (!jwks_uri_.empty()) return jwks_uri_;
  // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path; OpenID
  // Connect appends it to the issuer. Each answer must name exactly our issuer.
  AIP_ASSIGN_OR_RETURN(net::Url iss, net::ParseUrl(options_.issuer));
  std::string path = iss.target == "/" ? "" : iss.target;
  std::string base = options_.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string last_error;
  for (const std::string& url : {iss.Origin() + "/.well-known/oauth-authorization-server" + path,
                                 base + "/.well-known/openid-configuration"}) {
    auto doc = GetJson(url);
    if (!doc) {
      last_error = doc.error().message;
      continue;
    }
    const json::Value* issuer = doc->is_object() ? doc->get_object().if_contains("issuer") : nullptr;
    const json::Value* uri = doc->is_object() ? doc->get_object().if_contains("jwks_uri") : nullptr;
    if (issuer == nullptr || *issuer != json::Value(options_.issuer)) {
      return UnavailableError(url + " names another issuer");
    }
    if (uri == nullptr || !uri->is_string()) return UnavailableError(url + " has no jwks_uri");
    jwks_uri_ = std::string(uri->get_string());
    return jwks_uri_;
  }
  return UnavailableError("no metadata for issuer " + options_.issuer + ": " + last_error);
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::Fetch(std::uint64_t seen_generation, bool respect_cooldown) {
  if (fixed_) return keys_;
  std::lock_guard fetch(fetch_mu_);
  {
    std::lock_guard lock(mu_);
    // Someone fetched while we waited: their answer is ours.
    if (generation_ != seen_generation && keys_) return keys_;
    bool recent = fetched_at_ != std::chrono::steady_clock::time_point{} &&
                  std::chrono::steady_clock::now() - fetched_at_ < options_.cooldown;
    if (respect_cooldown && keys_ && recent) return keys_;
    if (!keys_ && recent) return UnavailableError("the issuer's keys are unavailable; retrying after the cooldown");
  }
  ++fetches_;
  auto result = [&]() -> Result<std::shared_ptr<const jose::JwkSet>> {
    AIP_ASSIGN_OR_RETURN(std::string uri, JwksUri());
    AIP_ASSIGN_OR_RETURN(json::Value doc, GetJson(uri));
    AIP_ASSIGN_OR_RETURN(jose::JwkSet set, jose::ParseJwkSet(doc));
    return std::make_shared<const jose::JwkSet>(std::move(set));
  }();
  std::lock_guard lock(mu_);
  fetched_at_ = std::chrono::steady_clock::now();  // Failures count too: no hammering a sick issuer.
  if (!result) {
    if (keys_) return keys_;
    return result;
  }
  keys_ = *result;
  ++generation_;
  return keys_;
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::Keys() {
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    if (keys_ && (fixed_ || std::chrono::steady_clock::now() - fetched_at_ < options_.max_age)) return keys_;
    generation = generation_;
  }
  return Fetch(generation, false);
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::RefreshForUnknownKid() {
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  return Fetch(generation, true);
}

}  // namespace aip::oauth
