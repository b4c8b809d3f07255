// HttpClient: a small synchronous HTTP/1.1 client (Boost.Beast) over one keep-alive connection,
// with response size limits, deadlines (`timeout` for the name lookup, for connecting, for the
// TLS handshake, and for the whole exchange from the request's first byte to the response's
// last, so a peer that stops answering or answers a byte at a time fails the call; an event
// stream's body gets `timeout` between reads, or a total bound with `max_stream`), and incremental delivery of
// text/event-stream bodies. HTTPS verifies the peer against the system trust store (or
// `ca_file`) and the host name.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "aip/base/status.h"
#include "aip/net/http.h"
#include "aip/net/sse.h"

namespace aip::net {

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30000};
  // Set (a gateway's upstream calls): an event stream's whole life is bounded — it must end
  // within `timeout` of the request, each event (not a keep-alive comment) extending that by
  // `timeout`, up to `max_stream` after the request; a peer that sends only comments, or events
  // forever, cannot hold the caller longer. 0 (relays, long-lived listeners): `timeout` between
  // reads only.
  std::chrono::milliseconds max_stream{0};
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  std::string ca_file;  // Extra trust anchors (PEM) for HTTPS; the system store is always used.
  // AllowAddress vets each resolved address before connecting (SSRF defence: IsPublicAddress in
  // address_policy.h). The client connects only to addresses it approved, so DNS cannot change
  // its mind between the check and the connection.
  std::function<bool(const std::string& ip)> allow_address;
};

class HttpClient {
 public:
  explicit HttpClient(Url base, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Send sends one request and reads the response. For text/event-stream responses each event is
  // passed to `on_event` as it arrives (the returned body then holds the raw stream).
  // `on_head`, when set, sees the status and headers as soon as they arrive (before any event):
  // a relay starts its own response with them.
  Result<HttpResponse> Send(std::string_view method, std::string_view target, const Headers& headers, std::string_view body,
                            const std::function<void(const SseEvent&)>& on_event = nullptr,
                            const std::function<void(int status, const Headers& headers)>& on_head = nullptr);
  const Url& base() const { return base_; }
  void Close();
  // Abort may be called from another thread while Send runs: the connection is shut down, so
  // Send returns an error at once (a caller that gave up on the response: a cancelled request).
  // The client stays aborted: every later Send fails too.
  void Abort();

 private:
  struct Impl;
  Url base_;
  HttpClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aip::net
