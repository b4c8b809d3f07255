#include "aip/net/resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "aip/net/address_policy.h"
#include "aip/net/event_loop.h"

namespace aip::net {
namespace {

// A DNS name as getaddrinfo should see it: letters, digits, '-' and '_' in labels of 1 to 63
// bytes, at most 253 in all, an optional final dot. Anything else (a NUL that would cut the name
// short, spaces, control bytes, an endless name from someone's did:web) is refused up front.
bool IsHostName(const std::string& host) {
  std::string_view name = host;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

// One lookup's answer, handed from its thread to the caller who may have stopped waiting.
struct Pending {
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Result<std::vector<std::string>>> answer;
};

}  // namespace

struct DeadlineResolver::Shared {
  LookupFunction lookup;
  std::size_t max_in_progress;
  std::mutex mutex;
  std::size_t in_progress = 0;
};

Result<std::vector<std::string>> SystemLookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return UnavailableError(gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(list, freeaddrinfo);
  std::vector<std::string> addresses;
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = a->ai_family == AF_INET    ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                      : a->ai_family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr)
                                                 : nullptr;
    if (raw == nullptr || inet_ntop(a->ai_family, raw, text, sizeof text) == nullptr) continue;
    addresses.emplace_back(text);
  }
  if (addresses.empty()) return UnavailableError("no IPv4 or IPv6 address");
  return addresses;
}

DeadlineResolver::DeadlineResolver(LookupFunction lookup, std::size_t max_in_progress) : shared_(std::make_shared<Shared>()) {
  shared_->lookup = std::move(lookup);
  shared_->max_in_progress = max_in_progress;
}

DeadlineResolver::~DeadlineResolver() = default;

Result<std::vector<std::string>> DeadlineResolver::Resolve(const std::string& host, std::chrono::milliseconds timeout) {
  if (IsIpLiteral(host)) return std::vector<std::string>{host};
  if (!IsHostName(host)) return InvalidArgumentError("not a host name");
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->in_progress >= shared_->max_in_progress) return UnavailableError("too many name lookups in progress");
    ++shared_->in_progress;
  }
  auto pending = std::make_shared<Pending>();
  try {
    std::thread([shared = shared_, pending, host] {
      auto answer = shared->lookup(host);
      {
        std::lock_guard lock(pending->mutex);
        pending->answer = std::move(answer);
      }
      pending->done.notify_one();
      std::lock_guard lock(shared->mutex);
      --shared->in_progress;
    }).detach();
  } catch (const std::system_error&) {
    std::lock_guard lock(shared_->mutex);
    --shared_->in_progress;
    return UnavailableError("cannot start a name lookup");
  }
  std::unique_lock lock(pending->mutex);
  if (!AwaitUntil(lock, pending->done, std::chrono::steady_clock::now() + timeout, [&] { return pending->answer.has_value(); })) {
    return UnavailableError("name lookup timed out");
  }
  return std::move(*pending->answer);
}

DeadlineResolver& DeadlineResolver::System() {
  static auto* resolver = new DeadlineResolver();  // Never destroyed: lookups may outlive main.
  return *resolver;
}

}  // namespace aip::net
