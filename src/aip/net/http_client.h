// HttpClient: a small synchronous HTTP/1.1 client (Boost.Beast) over one keep-alive connection,
// with response size limits, timeouts, and incremental delivery of text/event-stream bodies.
// HTTPS is not supported yet (plain http only).
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
  std::size_t max_response_bytes = 16 * 1024 * 1024;
};

class HttpClient {
 public:
  explicit HttpClient(Url base, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Send sends one request and reads the response. For text/event-stream responses each event is
  // passed to `on_event` as it arrives (the returned body then holds the raw stream).
  Result<HttpResponse> Send(std::string_view method, std::string_view target, const Headers& headers,
                            std::string_view body,
                            const std::function<void(const SseEvent&)>& on_event = nullptr);
  const Url& base() const { return base_; }
  void Close();

 private:
  struct Impl;
  Url base_;
  HttpClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aip::net
