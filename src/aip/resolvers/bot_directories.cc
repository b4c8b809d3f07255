#include "aip/resolvers/bot_directories.h"

#include <algorithm>
#include <condition_variable>
#include <optional>

#include "aip/base/ascii.h"
#include "aip/net/event_loop.h"
#include "aip/base/glob.h"

namespace aip::resolvers {

// A directory as last fetched: its keys, or why it could not be had.
struct BotDirectories::Entry {
  TimePoint fetched;
  TimePoint until;
  Result<std::map<std::string, crypto::Ed25519PublicKey>> keys = UnavailableError("not fetched");
};

// A fetch in progress: the first caller runs it, the others wait for its entry.
struct BotDirectories::Flight {
  std::mutex mu;
  std::condition_variable done_cv;
  std::shared_ptr<const Entry> entry;
};

std::optional<std::chrono::seconds> CacheMaxAge(const net::Headers& headers) {
  auto value = headers.Get("cache-control");
  if (!value) return std::nullopt;
  std::string v = AsciiLower(*value);
  if (v.find("no-store") != std::string::npos || v.find("no-cache") != std::string::npos) return std::chrono::seconds(0);
  std::size_t at = v.find("max-age=");
  if (at == std::string::npos || (at > 0 && v[at - 1] != ' ' && v[at - 1] != ',')) return std::nullopt;
  std::int64_t n = 0;
  std::size_t i = at + 8, digits = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && digits < 10; ++i, ++digits) n = n * 10 + (v[i] - '0');
  if (digits == 0) return std::nullopt;
  return std::chrono::seconds(n);
}

Result<std::string> DirectoryAuthority(std::string_view origin) {
  constexpr std::string_view kScheme = "https://";
  if (origin.size() > 300) return InvalidArgumentError("Signature-Agent: origin too long");
  if (!AsciiLower(origin).starts_with(kScheme)) return InvalidArgumentError("Signature-Agent: the origin must be https://host[:port]");
  std::string_view authority = origin.substr(kScheme.size());
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.empty()) return InvalidArgumentError("Signature-Agent: no host");
  for (char c : authority) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
              c == ']';
    if (!ok) return InvalidArgumentError("Signature-Agent: the origin must be https://host[:port], no path, user or query");
  }
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(std::string(kScheme) + std::string(authority) + "/"));
  if (url.host.empty() || url.target != "/") return InvalidArgumentError("Signature-Agent: bad origin");
  // One name per origin: the default port is not written (as @authority is derived).
  std::string out = AsciiLower(authority);
  if (out.ends_with(":443")) out.resize(out.size() - 4);
  return out;
}

std::string OperatorDid(std::string_view authority) {
  if (authority.find('[') != std::string_view::npos) return "";
  std::string did = "did:web:";
  for (char c : authority) did += c == ':' ? std::string("%3A") : std::string(1, c);
  return did;
}

BotDirectories::BotDirectories(BotDirectoryOptions options) : options_(std::move(options)) { options_.verify.clock = options_.clock; }
BotDirectories::~BotDirectories() = default;

int BotDirectories::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

Result<crypto::Ed25519PublicKey> BotDirectories::Key(std::string_view keyid, std::string_view origin_text) {
  AIP_ASSIGN_OR_RETURN(std::string authority, DirectoryAuthority(origin_text));
  std::string origin = "https://" + authority;
  if (!options_.origins.empty() &&
      std::none_of(options_.origins.begin(), options_.origins.end(), [&](const std::string& g) { return Glob(g, origin); })) {
    return PermissionDeniedError("Signature-Agent " + origin + " is not an accepted operator origin");
  }
  TimePoint now = options_.clock->Now();
  std::shared_ptr<const Entry> entry;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(origin); it != cache_.end() && it->second->until > now) entry = it->second;
  }
  auto holds = [&](const Entry& e) { return e.keys && e.keys->contains(std::string(keyid)); };
  // An unknown keyid refetches a directory once it is refresh_interval old: the operator may
  // have added a key since.
  if (entry == nullptr || (entry->keys && !holds(*entry) && now - entry->fetched >= options_.refresh_interval)) {
    entry = Refresh(origin, authority);
  }
  if (!entry->keys) return entry->keys.error();
  auto key = entry->keys->find(std::string(keyid));
  if (key == entry->keys->end()) {
    // The keyid is the sender's text: quoted short in the message, never whole.
    return UnauthenticatedError("keyid " + std::string(keyid.substr(0, 64)) + (keyid.size() > 64 ? "…" : "") +
                                " is not in the key directory of " + origin);
  }
  return key->second;
}

std::shared_ptr<const BotDirectories::Entry> BotDirectories::Refresh(const std::string& origin, const std::string& authority) {
  std::shared_ptr<Flight> flight;
  bool leader = false;
  {
    std::lock_guard lock(mu_);
    if (auto f = flights_.find(origin); f != flights_.end()) {
      flight = f->second;
    } else {
      if (static_cast<int>(flights_.size()) >= options_.max_fetches) {
        auto busy = std::make_shared<Entry>();
        busy->keys = UnavailableError("too many key directory fetches in progress; try again shortly");
        return busy;
      }
      flight = std::make_shared<Flight>();
      flights_.emplace(origin, flight);
      leader = true;
      ++fetches_;
    }
  }
  if (!leader) {
    std::unique_lock lock(flight->mu);
    net::Await(lock, flight->done_cv, [&] { return flight->entry != nullptr; });  // On an event loop too (event_loop.h).
    return flight->entry;
  }
  auto fetched = Fetch(origin, authority);
  std::shared_ptr<const Entry> entry = fetched ? *fetched : nullptr;
  if (!fetched) {
    auto failed = std::make_shared<Entry>();
    failed->fetched = options_.clock->Now();
    failed->until = failed->fetched + options_.failure_ttl;  // A failing origin costs one fetch per failure_ttl.
    failed->keys = fetched.error();
    entry = failed;
  }
  {
    std::lock_guard lock(mu_);
    flights_.erase(origin);
    if (cache_.size() >= options_.max_entries && !cache_.contains(origin)) {
      auto oldest =
          std::min_element(cache_.begin(), cache_.end(), [](const auto& a, const auto& b) { return a.second->until < b.second->until; });
      cache_.erase(oldest);
    }
    cache_.insert_or_assign(origin, entry);
  }
  {
    std::lock_guard lock(flight->mu);
    flight->entry = entry;
  }
  flight->done_cv.notify_all();
  return entry;
}

Result<std::shared_ptr<const BotDirectories::Entry>> BotDirectories::Fetch(const std::string& origin, const std::string& authority) {
  std::string url_text = origin + std::string(httpsig::kDirectoryPath);
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(url_text));
  auto res = GuardedGet(url, "application/http-message-signatures-directory+json, application/json", options_.fetch);
  if (!res) return UnavailableError("key directory of " + origin + ": " + res.error().message);
  if (res->status != 200) return UnavailableError("key directory of " + origin + ": HTTP " + std::to_string(res->status));
  auto verified = httpsig::VerifyDirectory(authority, res->headers, res->body, options_.verify);
  if (!verified) return Error{ErrorCode::kUnauthenticated, verified.error().message};
  auto entry = std::make_shared<Entry>();
  entry->fetched = options_.clock->Now();
  std::chrono::seconds ttl = CacheMaxAge(res->headers).value_or(options_.default_ttl);
  ttl = std::clamp(ttl, options_.min_ttl, options_.max_ttl);
  entry->until = std::min(entry->fetched + ttl, verified->expires);
  entry->keys = std::move(verified->keys);
  return std::shared_ptr<const Entry>(std::move(entry));
}

}  // namespace aip::resolvers
