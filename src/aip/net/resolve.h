// Host name lookups that keep the caller's deadline. getaddrinfo cannot be cancelled and waits as
// long as resolv.conf allows (attempts × timeout × servers), longer than a client's deadline, so
// each lookup of a name runs on a thread of its own and the caller waits for it only until its
// deadline; a lookup that outlives it finishes in the background and its answer is dropped. A
// cap on lookups in progress bounds the threads a DNS outage can hold. IP literals are answered
// at once, without a thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aip/base/status.h"

namespace aip::net {

// A lookup answers a host name with its IP addresses as text ("192.0.2.1", "2001:db8::1").
using LookupFunction = std::function<Result<std::vector<std::string>>(const std::string& host)>;

// SystemLookup is getaddrinfo for TCP, with only the address families this machine has
// configured (AI_ADDRCONFIG).
Result<std::vector<std::string>> SystemLookup(const std::string& host);

class DeadlineResolver {
 public:
  explicit DeadlineResolver(LookupFunction lookup = SystemLookup, std::size_t max_in_progress = 64);
  ~DeadlineResolver();
  DeadlineResolver(const DeadlineResolver&) = delete;
  DeadlineResolver& operator=(const DeadlineResolver&) = delete;

  // Resolve answers `host` (a name or an IP literal) within `timeout`: the addresses;
  // InvalidArgument for what is neither (bad characters, empty or over-long labels, over 253
  // bytes); Unavailable when the lookup failed, did not finish in time, or too many lookups are
  // in progress already.
  Result<std::vector<std::string>> Resolve(const std::string& host, std::chrono::milliseconds timeout);

  // The process-wide resolver on SystemLookup that HttpClient uses.
  static DeadlineResolver& System();

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;  // Outlives this object while background lookups finish.
};

}  // namespace aip::net
