#include "aip/resolvers/did_web_resolver.h"

#include <condition_variable>
#include <optional>

#include "aip/identity/did_key.h"
#include "aip/net/event_loop.h"

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
  auto res = GuardedGet(u, "application/did+json, application/json", options_);
  if (!res) {
    // Also an address the fetch may not use (private, loopback): the DID does not resolve here,
    // which is not the same as a key the DID does not authorize.
    return UnavailableError("did:web: " + res.error().message);
  }
  if (res->status == 404) return NotFoundError("did:web: no document at " + url);
  if (res->status != 200) return UnavailableError("did:web: HTTP " + std::to_string(res->status) + " from " + url);
  AIP_ASSIGN_OR_RETURN(json::Object doc, json::ParseJsonObject(res->body, json::ParseLimits{options_.max_bytes, 32}));
  AIP_ASSIGN_OR_RETURN(identity::DidDocument parsed, identity::DidDocument::FromJson(json::Value(doc)));
  if (parsed.id() != did) return InvalidArgumentError("did:web: the document is for " + parsed.id());
  return identity::Resolution{std::move(doc), std::move(parsed)};
}

// A fetch in progress: the first caller runs it, the others wait for its result.
struct CachingResolver::Flight {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<Result<identity::Resolution>> result;
};

CachingResolver::CachingResolver(std::shared_ptr<const identity::DidResolver> inner, CachingOptions options)
    : inner_(std::move(inner)), options_(options) {}

int CachingResolver::fetches_in_progress() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(flights_.size());
}

void CachingResolver::Store(std::string did, Entry entry) const {
  if (cache_.size() >= options_.max_entries) {
    auto oldest = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second.until < oldest->second.until) oldest = it;
    }
    cache_.erase(oldest);
  }
  cache_.insert_or_assign(std::move(did), std::move(entry));
}

Result<identity::Resolution> CachingResolver::Resolve(std::string_view did) const {
  TimePoint now = DefaultClock().Now();
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(did);
    if (it != cache_.end() && it->second.until > now) return it->second.result;
    if (auto f = flights_.find(did); f != flights_.end()) {
      flight = f->second;
    } else {
      if (static_cast<int>(flights_.size()) >= options_.max_fetches) {
        return UnavailableError("too many DID lookups in progress; try again shortly");
      }
      flight = std::make_shared<Flight>();
      flights_.emplace(std::string(did), flight);
      leader = true;
    }
  }
  if (!leader) {
    std::unique_lock lock(flight->mu);
    net::Await(lock, flight->done_cv, [&] { return flight->done; });  // On an event loop too (event_loop.h).
    return *flight->result;
  }
  Result<identity::Resolution> r = inner_->Resolve(did);
  {
    std::lock_guard lock(mu_);
    flights_.erase(flights_.find(did));
    // A failure is kept briefly too: a DID that does not resolve (or whose host is slow) costs
    // one fetch per failure_ttl, however often it is named.
    Store(std::string(did), Entry{DefaultClock().Now() + (r ? options_.ttl : options_.failure_ttl), r});
  }
  {
    std::lock_guard lock(flight->mu);
    flight->result = r;
    flight->done = true;
  }
  flight->done_cv.notify_all();
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
