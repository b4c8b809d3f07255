#include "aip/resolvers/did_web_resolver.h"

#include "aip/identity/did_key.h"
#include "aip/net/address_policy.h"
#include "aip/net/http_client.h"

namespace aip::resolvers {

Result<std::string> DidWebUrl(std::string_view did) {
  constexpr std::string_view kPrefix = "did:web:";
  if (!did.starts_with(kPrefix)) return NotFoundError("not a did:web");
  std::string_view rest = did.substr(kPrefix.size());
  if (rest.empty() || rest.size() > 512) return InvalidArgumentError("did:web: bad length");
  for (char c : rest) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '%')) {
      return InvalidArgumentError("did:web: invalid character");
    }
  }
  std::string host;
  std::string path;
  std::size_t colon = rest.find(':');
  host = std::string(rest.substr(0, colon));
  if (auto pct = host.find("%3A"); pct != std::string::npos) host.replace(pct, 3, ":");
  if (host.find('%') != std::string::npos || host.empty()) return InvalidArgumentError("did:web: bad host");
  if (colon == std::string_view::npos) {
    path = "/.well-known/did.json";
  } else {
    std::string_view segs = rest.substr(colon + 1);
    while (!segs.empty()) {
      std::size_t c = segs.find(':');
      std::string_view seg = segs.substr(0, c);
      if (seg.empty() || seg == "." || seg == ".." || seg.find('%') != std::string_view::npos) {
        return InvalidArgumentError("did:web: bad path segment");
      }
      path += "/" + std::string(seg);
      if (c == std::string_view::npos) break;
      segs = segs.substr(c + 1);
    }
    path += "/did.json";
  }
  return "https://" + host + path;
}

Result<identity::Resolution> DidWebResolver::Resolve(std::string_view did) const {
  AIP_ASSIGN_OR_RETURN(std::string url, DidWebUrl(did));
  AIP_ASSIGN_OR_RETURN(net::Url u, net::ParseUrl(url));
  net::HttpClientOptions o;
  o.timeout = options_.timeout;
  o.max_response_bytes = options_.max_document_bytes;
  o.ca_file = options_.ca_file;
  if (!options_.allow_private) o.allow_address = net::IsPublicAddress;
  net::HttpClient client(u, o);
  net::Headers h;
  h.Set("accept", "application/did+json, application/json");
  auto res = client.Send("GET", u.target, h, "");
  if (!res) {
    if (res.error().code == ErrorCode::kPermissionDenied) return res.status();
    return UnavailableError("did:web: " + res.error().message);
  }
  if (res->status == 404) return NotFoundError("did:web: no document at " + url);
  if (res->status != 200) return UnavailableError("did:web: HTTP " + std::to_string(res->status) + " from " + url);
  AIP_ASSIGN_OR_RETURN(json::Object doc, json::ParseJsonObject(res->body, json::ParseLimits{options_.max_document_bytes, 32}));
  AIP_ASSIGN_OR_RETURN(identity::DidDocument parsed, identity::DidDocument::FromJson(json::Value(doc)));
  if (parsed.id() != did) return InvalidArgumentError("did:web: the document is for " + parsed.id());
  return identity::Resolution{std::move(doc), std::move(parsed)};
}

Result<identity::Resolution> CachingResolver::Resolve(std::string_view did) const {
  TimePoint now = DefaultClock().Now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(did);
    if (it != cache_.end() && it->second.first > now) return it->second.second;
  }
  AIP_ASSIGN_OR_RETURN(identity::Resolution r, inner_->Resolve(did));
  std::lock_guard lock(mu_);
  if (cache_.size() >= max_entries_) {
    auto oldest = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second.first < oldest->second.first) oldest = it;
    }
    cache_.erase(oldest);
  }
  cache_.insert_or_assign(std::string(did), std::make_pair(now + ttl_, r));
  return r;
}

Result<identity::VerificationMethod> CachingResolver::ResolveKey(std::string_view vm_id, identity::Purpose purpose) const {
  if (vm_id.starts_with(identity::kDidKeyPrefix)) return inner_->ResolveKey(vm_id, purpose);  // Nothing to fetch.
  std::size_t hash = vm_id.find('#');
  if (hash == std::string_view::npos || hash == 0) {
    return InvalidArgumentError("verification method must be a DID URL with a fragment");
  }
  AIP_ASSIGN_OR_RETURN(identity::Resolution r, Resolve(vm_id.substr(0, hash)));
  return r.parsed.KeyFor(vm_id, purpose);
}

}  // namespace aip::resolvers
