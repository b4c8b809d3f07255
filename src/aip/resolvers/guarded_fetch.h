// GuardedGet: one GET of a document that an untrusted party chose the address of (a did:web
// DID, a Web Bot Auth Signature-Agent), with the guards every such fetch needs: private,
// loopback and link-local addresses refused unless allowed (checked on the resolved address the
// client then connects to), certificates verified, size and time bounded.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aip/net/http.h"

namespace aip::resolvers {

struct GuardedFetchOptions {
  bool allow_private = false;
  std::string ca_file;  // Extra trust anchors (PEM).
  std::chrono::milliseconds timeout{5000};
  std::size_t max_bytes = 64 * 1024;
};

// GuardedGet returns the response whatever its status; an error when no response came (refused
// address, TLS, timeout, too large).
Result<net::HttpResponse> GuardedGet(const net::Url& url, std::string_view accept, const GuardedFetchOptions& options);

}  // namespace aip::resolvers
