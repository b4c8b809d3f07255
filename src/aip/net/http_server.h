// HttpServer: an asynchronous HTTP/1.1 server (Boost.Beast, C++20 coroutines) with keep-alive,
// header and body limits (431/413 before the body is read past the limit), idle timeouts,
// optional TLS, streamed (chunked) responses for SSE, held-open streams that cost no thread,
// and graceful shutdown.
//
// Handlers run on the server's I/O threads; a handler that streams writes synchronously to its
// own connection, which no other operation touches meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aip/base/status.h"
#include "aip/net/http.h"

namespace aip::net {

// ResponseStream is an open chunked response; Write returns false once the client is gone.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual bool Write(std::string_view data) = 0;
};

// Exchange is the handler's side of one request: respond once, or stream, or hold open.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Respond(HttpResponse response) = 0;
  // BeginStream sends the status and headers with chunked encoding; the stream ends when the
  // handler returns.
  virtual ResponseStream& BeginStream(int status, const Headers& headers) = 0;
  // HoldOpen sends the status and headers, then keeps the response open after the handler
  // returns, writing `keepalive_chunk` every `interval`, until the client leaves or the server stops.
  virtual void HoldOpen(int status, const Headers& headers, std::chrono::milliseconds interval, std::string keepalive_chunk) = 0;
};

using HttpHandler = std::function<void(const HttpRequest&, Exchange&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port.
  int threads = 2;
  // Threads that run handlers, apart from the I/O threads. 0: handlers run on the I/O threads
  // (for quick handlers). A server whose handlers block — a gateway waiting on upstreams — sets
  // it to the number of requests that may wait at once, and keeps few I/O threads. The pool gives
  // each request to its most recently idle thread (LifoThreadPool), and that thread also sends
  // the response, so a request costs one hand-off on its way to the client.
  int handler_threads = 0;
  // Set: each request's handler runs on its connection's I/O thread, on a fiber of its own
  // (fiber.h), and waits on sockets suspend the fiber instead of blocking the thread (event_loop.h)
  // — each of the `threads` I/O threads then runs an event loop of its own, with its share of the
  // connections, and a request costs no hand-off between threads. For handlers whose waits are
  // on sockets (a gateway forwarding to HTTP upstreams); handler_threads is then unused. Plain
  // HTTP only: a TLS server runs its handlers on the handler threads.
  bool loop_handlers = false;
  // With loop_handlers: requests handled at once (each holds a fiber's stack, mostly untouched
  // address space); more are answered 503 with Retry-After at once.
  std::size_t max_loop_requests = 4096;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  // How long a kept-alive connection may wait for its next request.
  std::chrono::seconds idle_timeout{60};
  // From a request's first byte, how long its headers and body may take to arrive: a client
  // that sends a byte at a time (slowloris) cannot hold a connection longer than this.
  std::chrono::milliseconds request_timeout{30000};
  // Open connections at most, in all and from one address; more are closed as soon as they are
  // accepted. 0: the total follows the process's file limit (less a reserve for upstreams and
  // files). Behind a reverse proxy every client shares its address: raise the per-address cap.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 512;
  std::string tls_cert_file;  // Both set: serve HTTPS.
  std::string tls_key_file;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // Stop stops accepting, lets requests in progress finish for up to `grace`, then closes every
  // connection (idle ones and those whose request was still arriving too: their peers see the
  // connection end at once) and joins the threads. Idempotent. `past_grace` runs when handlers
  // are still busy after the grace, before they are joined: it must make them return (abort
  // what they wait for), so that Stop itself is bounded.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(5), const std::function<void()>& past_grace = nullptr);
  // Wait blocks until Stop has completed (from a signal handler thread, for example).
  void Wait();
  // GrowHandlerThreads raises the handler pool to `threads` (never lowers it).
  void GrowHandlerThreads(int threads);
  // Requests whose handler has started and whose response is not yet complete.
  int active_requests() const;
  // Connections open now, and those closed at once because a limit was reached (by "total" or
  // "address").
  std::size_t open_connections() const;
  std::uint64_t refused_connections(std::string_view limit) const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// RaiseFileLimit lifts RLIMIT_NOFILE to its hard maximum, so many idle clients fit.
void RaiseFileLimit();

}  // namespace aip::net
