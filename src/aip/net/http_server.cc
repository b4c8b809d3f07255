#include "aip/net/http_server.h"

#include "aip/net/busy_poll.h"
#include "aip/net/deadline_socket.h"
#include "aip/net/fiber.h"
#include "aip/net/lifo_thread_pool.h"
#include "aip/net/loop_context.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace aip::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  // Every open connection's descriptor, so that Stop can close them all. Declared before `io`:
  // a connection abandoned by Stop deregisters when `io` destroys it, which must find these.
  std::mutex connections_mu;
  std::unordered_set<int> connections;
  std::unordered_map<std::string, std::size_t> per_address;  // Open connections by peer address.
  std::size_t open = 0;
  std::size_t max_connections = 0;  // Resolved from the options and the file limit at start.
  std::atomic<std::uint64_t> refused_total{0}, refused_address{0};
  // With loop_handlers, the event loops besides `io` (one thread each); connections are dealt out
  // to `io` and these in turn. Declared before `io`: the acceptor's pending accept (on `io`)
  // holds a socket of one of these, so `io` must be destroyed first.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> loop_guards;
  std::size_t next_loop = 0;
  asio::io_context io;
  std::optional<LifoThreadPool> handler_pool;
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> tls;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<int> active_requests{0};
  std::atomic<std::size_t> loop_requests{0};  // Handlers on fibers now (loop_handlers).
  std::uint16_t port = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;

  awaitable<void> Accept();
  template <class Stream>
  awaitable<void> Serve(Stream stream, std::unique_ptr<class AddressSlot> slot);
};

// AddressSlot counts one open connection against the limits for as long as it is served.
class AddressSlot {
 public:
  // Take returns a slot, or null when the total or the address's limit is reached.
  static std::unique_ptr<AddressSlot> Take(HttpServer::Impl& server, const std::string& address) {
    std::lock_guard lock(server.connections_mu);
    if (server.max_connections > 0 && server.open >= server.max_connections) {
      ++server.refused_total;
      return nullptr;
    }
    std::size_t cap = server.options.max_connections_per_address;
    if (cap > 0 && server.per_address[address] >= cap) {
      ++server.refused_address;
      return nullptr;
    }
    ++server.per_address[address];
    ++server.open;
    return std::unique_ptr<AddressSlot>(new AddressSlot(server, address));
  }
  ~AddressSlot() {
    std::lock_guard lock(server_.connections_mu);
    --server_.open;
    if (auto it = server_.per_address.find(address_); it != server_.per_address.end() && --it->second == 0) {
      server_.per_address.erase(it);
    }
  }
  AddressSlot(const AddressSlot&) = delete;
  AddressSlot& operator=(const AddressSlot&) = delete;

 private:
  AddressSlot(HttpServer::Impl& server, std::string address) : server_(server), address_(std::move(address)) {}
  HttpServer::Impl& server_;
  std::string address_;
};

namespace {

// PeerWatch: whether a client left while its handler ran (see the connection loop).
struct PeerWatch {
  std::atomic<bool> done{false};
  std::shared_ptr<Cancellation> cancellation;
};

// How long a handler on an event loop may take to write what it streams to a client that
// reads slowly (the loop's other connections go on meanwhile).
constexpr std::chrono::seconds kLoopWriteTimeout{60};

// WriteFromHandler writes all of `buffers` for a handler: on an event loop by suspending its
// fiber while the socket is full, elsewhere blocking the handler's thread.
template <class Stream, class Buffers>
void WriteFromHandler(Stream& stream, const Buffers& buffers, beast::error_code& ec) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    if (CurrentLoop() != nullptr) {
      DeadlineSocket socket(beast::get_lowest_layer(stream).socket());
      socket.ServedByLoop();
      socket.ExpiresAfter(kLoopWriteTimeout);
      asio::write(socket, buffers, ec);
      return;
    }
  }
  asio::write(stream, buffers, ec);
}

template <class Stream>
class StreamWriter final : public ResponseStream {
 public:
  explicit StreamWriter(Stream& s) : stream_(s) {}
  bool Write(std::string_view data) override {
    if (broken_ || data.empty()) return !broken_;
    beast::error_code ec;
    WriteFromHandler(stream_, http::make_chunk(asio::const_buffer(data.data(), data.size())), ec);
    if (ec) broken_ = true;
    return !broken_;
  }
  bool broken() const { return broken_; }
  void MarkBroken() { broken_ = true; }

 private:
  Stream& stream_;
  bool broken_ = false;
};

template <class Stream>
class ExchangeImpl final : public Exchange {
 public:
  enum class Mode { kNone, kResponse, kStream, kHold };
  ExchangeImpl(Stream& s, unsigned version) : stream_(s), version_(version), writer_(s) {}

  void Respond(HttpResponse response) override {
    if (mode_ != Mode::kNone) return;
    mode_ = Mode::kResponse;
    response_ = std::move(response);
  }
  ResponseStream& BeginStream(int status, const Headers& headers) override {
    if (mode_ == Mode::kNone) {
      mode_ = Mode::kStream;
      WriteChunkedHeader(status, headers);
    }
    return writer_;
  }
  void HoldOpen(int status, const Headers& headers, std::chrono::milliseconds interval, std::string keepalive_chunk) override {
    if (mode_ != Mode::kNone) return;
    mode_ = Mode::kHold;
    interval_ = interval;
    keepalive_ = std::move(keepalive_chunk);
    WriteChunkedHeader(status, headers);
  }

  Mode mode() const { return mode_; }
  HttpResponse& response() { return response_; }
  StreamWriter<Stream>& writer() { return writer_; }
  std::chrono::milliseconds interval() const { return interval_; }
  const std::string& keepalive() const { return keepalive_; }

 private:
  void WriteChunkedHeader(int status, const Headers& headers) {
    beast::error_code ec;
    std::string head = RenderChunkedHead(status, headers, version_);
    WriteFromHandler(stream_, asio::buffer(head), ec);
    if (ec) writer_.MarkBroken();
  }

  Stream& stream_;
  unsigned version_;
  Mode mode_ = Mode::kNone;
  HttpResponse response_;
  StreamWriter<Stream> writer_;
  std::chrono::milliseconds interval_{0};
  std::string keepalive_;
};

// SendWithoutBlocking writes what the socket takes now and returns how much that was: a
// DeadlineSocket whose deadline has already come stops where it would have to wait. An error
// leaves the rest to the asynchronous write that follows, which reports it.
std::size_t SendWithoutBlocking(tcp::socket& socket, std::string_view data) {
  DeadlineSocket now(socket);
  now.ExpiresAfter(std::chrono::milliseconds(0));
  beast::error_code ignored;
  return asio::write(now, asio::buffer(data.data(), data.size()), ignored);
}

// A handler's stack on an event loop: deep enough for what handlers call (JSON is parsed without
// recursion; canonicalization and schema checks recurse as deep as the bounded documents).
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kFiberStackBytes = 2 * 1024 * 1024;  // Sanitized frames are several times larger.
#else
constexpr std::size_t kFiberStackBytes = 512 * 1024;
#endif

// InFlight counts one request against a bound while it lives; taken() is false when the bound
// was already reached (and then nothing is counted).
class InFlight {
 public:
  InFlight(std::atomic<std::size_t>& count, std::size_t bound) : count_(count), taken_(count.fetch_add(1) < bound) {
    if (!taken_) count_.fetch_sub(1);
  }
  ~InFlight() {
    if (taken_) count_.fetch_sub(1);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  bool taken() const { return taken_; }

 private:
  std::atomic<std::size_t>& count_;
  bool taken_;
};

// RunLoop runs an event loop until it is stopped. Before it sleeps in the kernel it polls for a
// moment while the process is at low load (busy_poll.h): the next request, or the answer a
// suspended request waits for, then finds the loop's thread running instead of halted — on a
// virtual machine, waking a halted CPU costs tens of microseconds.
void RunLoop(asio::io_context& io) {
  while (!io.stopped()) {
    if (busy_poll::Poll(1, [&io] { return io.poll() > 0; })) continue;
    io.run_one();
  }
}

HttpResponse Plain(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

}  // namespace

awaitable<void> HttpServer::Impl::Accept() {
  while (!stopping) {
    beast::error_code ec;
    std::size_t k = loops.empty() ? 0 : next_loop++ % (loops.size() + 1);
    asio::io_context& loop = k == 0 ? io : *loops[k - 1];
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(loop), redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // EMFILE and the like: keep serving the connections we have.
    }
    auto peer = socket.remote_endpoint(ec);
    std::string address = ec ? "" : peer.address().to_string();
    auto slot = AddressSlot::Take(*this, address);
    if (!slot) {
      // Over a limit: closed before anything is read, so a flood of idle connections costs one
      // accept each and cannot take the descriptors the served connections need.
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    if (tls) {
      asio::co_spawn(executor, Serve(beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), std::move(slot)),
                     asio::detached);
    } else {
      asio::co_spawn(executor, Serve(beast::tcp_stream(std::move(socket)), std::move(slot)), asio::detached);
    }
  }
}

// ConnectionEntry keeps one connection in Impl::connections for as long as it is served; it is
// declared in Serve after the stream, so it leaves the set before the socket is closed.
class ConnectionEntry {
 public:
  ConnectionEntry(HttpServer::Impl& server, int fd);
  ~ConnectionEntry();
  ConnectionEntry(const ConnectionEntry&) = delete;
  ConnectionEntry& operator=(const ConnectionEntry&) = delete;

 private:
  HttpServer::Impl& server_;
  int fd_;
};

ConnectionEntry::ConnectionEntry(HttpServer::Impl& server, int fd) : server_(server), fd_(fd) {
  std::lock_guard lock(server_.connections_mu);
  server_.connections.insert(fd_);
}

ConnectionEntry::~ConnectionEntry() {
  std::lock_guard lock(server_.connections_mu);
  server_.connections.erase(fd_);
}

template <class Stream>
// `slot` lives in the coroutine's frame: the connection counts against the limits until it ends.
awaitable<void> HttpServer::Impl::Serve(Stream stream, [[maybe_unused]] std::unique_ptr<AddressSlot> slot) {
  ConnectionEntry entry(*this, beast::get_lowest_layer(stream).socket().native_handle());
  beast::error_code ec;
  std::string remote;
  {
    auto ep = beast::get_lowest_layer(stream).socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server, redirect_error(use_awaitable, ec));
    if (ec) co_return;
  }
  beast::flat_buffer buffer;
  buffer.reserve(16 * 1024);  // Read a whole typical request per syscall, not 512 bytes at a time.
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    if (buffer.size() == 0) {
      // Between requests the connection may idle; once a request begins, it must arrive whole
      // within request_timeout, however slowly its bytes come.
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      std::size_t n = co_await stream.async_read_some(buffer.prepare(16 * 1024), redirect_error(use_awaitable, ec));
      buffer.commit(n);
      if (ec) break;
    }
    beast::get_lowest_layer(stream).expires_after(options.request_timeout);
    co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      // Answer before reading the rest of the body, then close: the rest is never read.
      HttpResponse r = Plain(ec == http::error::body_limit ? 413 : 431,
                             ec == http::error::body_limit ? "request body too large\n" : "request header too large\n");
      std::string wire = RenderResponse(r, 11, false);
      co_await asio::async_write(stream, asio::buffer(wire), redirect_error(use_awaitable, ec));
      break;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      break;
    }
    if (ec) {
      HttpResponse r = Plain(400, "malformed HTTP request\n");
      std::string wire = RenderResponse(r, 11, false);
      co_await asio::async_write(stream, asio::buffer(wire), redirect_error(use_awaitable, ec));
      break;
    }
    auto& breq = parser.get();
    HttpRequest req;
    req.method = std::string(breq.method_string());
    req.target = std::string(breq.target());
    for (const auto& f : breq) req.headers.Add(f.name_string(), f.value());
    req.body = std::move(breq.body());
    req.remote_address = remote;
    req.cancellation = std::make_shared<Cancellation>();
    bool keep_alive = breq.keep_alive();
    unsigned version = breq.version();

    beast::get_lowest_layer(stream).expires_never();
    ExchangeImpl<Stream> exchange(stream, version);
    ++active_requests;
    // A whole response is rendered and, on plain TCP, sent at once by the thread that ran the
    // handler (without blocking: what the socket does not take now is written below), so the
    // client has its answer before this coroutine is scheduled again.
    std::string wire;
    std::size_t sent = 0;
    bool over_capacity = false;  // Set: answered 503 without running the handler.
    auto run_handler = [&] {
      try {
        if (over_capacity) {
          HttpResponse busy = Plain(503, "server busy: too many requests in progress\n");
          busy.headers.Set("retry-after", "1");
          exchange.Respond(std::move(busy));
        } else {
          handler(req, exchange);
        }
      } catch (...) {
        // Handlers report errors as responses; an exception here is a bug. Fail the request only.
        if (exchange.mode() == ExchangeImpl<Stream>::Mode::kNone) exchange.Respond(Plain(500, "internal error\n"));
      }
      if (exchange.mode() == ExchangeImpl<Stream>::Mode::kNone) exchange.Respond(Plain(500, "no response\n"));
      if (exchange.mode() == ExchangeImpl<Stream>::Mode::kResponse) {
        keep_alive = keep_alive && !stopping;
        wire = RenderResponse(exchange.response(), version, keep_alive);
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
          sent = SendWithoutBlocking(beast::get_lowest_layer(stream).socket(), wire);
        }
      }
    };
    constexpr bool kPlain = std::is_same_v<Stream, beast::tcp_stream>;
    if (handler_pool || (kPlain && options.loop_handlers)) {
      // While the handler runs, a client that closes its connection cancels the request (a
      // gateway then aborts its upstream call). Only the end of the stream counts: bytes that
      // arrive meanwhile (a pipelined request) end the watch, and are left for the next read.
      auto watch = std::make_shared<PeerWatch>();
      watch->cancellation = req.cancellation;
      int fd = beast::get_lowest_layer(stream).socket().native_handle();
      beast::get_lowest_layer(stream).socket().async_wait(tcp::socket::wait_read, [watch, fd](const beast::error_code& wait_ec) {
        if (wait_ec || watch->done.load()) return;
        char byte;
        ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) watch->cancellation->Cancel();
      });
      if (kPlain && options.loop_handlers) {
        // The handler runs here, on a fiber: each time it waits (fiber.h) this coroutine waits
        // with it, and the loop serves the other connections until the wait's event resumes both.
        // In flight, the request counts as work: a loop polls (busy_poll.h) only while at most
        // one request is in flight in the whole process.
        busy_poll::Working working;
        LoopContext loop{stream.get_executor(), nullptr};
        // Each request in flight holds a stack: past the bound (or with no address space left
        // for one) a request is refused at once, as the handler threads' queue bounds them.
        InFlight in_flight(loop_requests, options.max_loop_requests);
        std::unique_ptr<Fiber> fiber = in_flight.taken() ? Fiber::Create(run_handler, kFiberStackBytes) : nullptr;
        if (!fiber) {
          over_capacity = true;
          run_handler();
        } else {
          fiber->loop = &loop;
          fiber->Resume();
          while (!fiber->finished()) {
            co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
                [&loop](auto resume) {
                  auto held = std::make_shared<decltype(resume)>(std::move(resume));
                  loop.resume = [held] { std::move (*held)(); };
                },
                use_awaitable);
            fiber->Resume();
          }
        }
      } else {
        // The handler may block; it runs on the handler pool while this connection waits and the
        // I/O threads go on serving the others. This coroutine stays suspended meanwhile, so the
        // handler's own (synchronous) writes never overlap an operation of ours.
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
            [&](auto resume) {
              auto executor = asio::get_associated_executor(resume, stream.get_executor());
              handler_pool->Post([&run_handler, resume = std::move(resume), executor]() mutable {
                run_handler();
                asio::post(executor, std::move(resume));
              });
            },
            use_awaitable);
      }
      watch->done = true;
      beast::error_code cancel_ec;
      beast::get_lowest_layer(stream).socket().cancel(cancel_ec);  // Ends the watch's wait.
    } else {
      run_handler();
    }
    --active_requests;

    switch (exchange.mode()) {
      case ExchangeImpl<Stream>::Mode::kNone:
      case ExchangeImpl<Stream>::Mode::kResponse: {
        if (sent < wire.size()) {
          beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
          co_await asio::async_write(stream, asio::buffer(wire.data() + sent, wire.size() - sent), redirect_error(use_awaitable, ec));
          if (ec) keep_alive = false;
        }
        break;
      }
      case ExchangeImpl<Stream>::Mode::kStream: {
        if (!exchange.writer().broken()) asio::write(stream, http::make_chunk_last(), ec);
        if (ec || exchange.writer().broken()) keep_alive = false;
        break;
      }
      case ExchangeImpl<Stream>::Mode::kHold: {
        asio::steady_timer timer(stream.get_executor());
        while (!stopping) {
          timer.expires_after(exchange.interval());
          co_await timer.async_wait(redirect_error(use_awaitable, ec));
          if (ec || stopping) break;
          const std::string& chunk = exchange.keepalive();
          co_await asio::async_write(stream, http::make_chunk(asio::const_buffer(chunk.data(), chunk.size())),
                                     redirect_error(use_awaitable, ec));
          if (ec) break;
        }
        keep_alive = false;
        break;
      }
    }
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    impl->tls.emplace(asio::ssl::context::tls_server);
    impl->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                           asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    impl->tls->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return InvalidArgumentError("TLS certificate " + options.tls_cert_file + ": " + ec.message());
    impl->tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return InvalidArgumentError("TLS key " + options.tls_key_file + ": " + ec.message());
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) return InvalidArgumentError("listen address \"" + options.address + "\": " + ec.message());
  tcp::endpoint ep(address, options.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + options.address + ":" + std::to_string(options.port) + ": " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->max_connections = options.max_connections;
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    // Keep a reserve of descriptors for upstream connections, spawned servers and files: a
    // flood of clients must never leave the gateway unable to reach its upstreams.
    std::size_t fit = rl.rlim_cur > 256 ? static_cast<std::size_t>(rl.rlim_cur) - 256 : static_cast<std::size_t>(rl.rlim_cur) / 2;
    if (impl->max_connections == 0 || impl->max_connections > fit) impl->max_connections = fit;
  }
  asio::co_spawn(impl->io, impl->Accept(), asio::detached);
  int n = std::max(1, options.threads);
  Impl* raw = impl.get();
  if (options.loop_handlers && !raw->tls) {
    // An event loop per thread: a connection and its handler's fiber stay on one thread.
    for (int i = 1; i < n; ++i) {
      raw->loops.push_back(std::make_unique<asio::io_context>(1));
      raw->loop_guards.push_back(asio::make_work_guard(*raw->loops.back()));
    }
    raw->threads.emplace_back([raw] { RunLoop(raw->io); });
    for (auto& loop : raw->loops) raw->threads.emplace_back([l = loop.get()] { RunLoop(*l); });
  } else {
    if (options.handler_threads > 0) raw->handler_pool.emplace(options.handler_threads);
    // One shared pool: handlers may block (a tool running, an upstream answering), and any free
    // thread can then serve the other connections.
    for (int i = 0; i < n; ++i) raw->threads.emplace_back([raw] { raw->io.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop(std::chrono::milliseconds grace, const std::function<void()>& past_grace) {
  if (!impl_ || impl_->stopping.exchange(true)) {
    return;
  }
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (impl_->active_requests > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (impl_->active_requests > 0 && past_grace) {
    past_grace();
    // The aborted handlers answer (an error each) before their connections close.
    auto answered = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (impl_->active_requests > 0 && std::chrono::steady_clock::now() < answered) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  {
    // Idle keep-alive connections, requests still being read, and handlers past the grace: each
    // peer sees its connection end now, not when this object is destroyed. Under the lock a
    // descriptor cannot be closed (and reused) before it is shut down.
    std::lock_guard lock(impl_->connections_mu);
    for (int fd : impl_->connections) ::shutdown(fd, SHUT_RDWR);
  }
  impl_->io.stop();
  for (auto& loop : impl_->loops) loop->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  if (impl_->handler_pool) impl_->handler_pool->Join();
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
  impl_->cv.notify_all();
}

void HttpServer::GrowHandlerThreads(int threads) {
  if (impl_->handler_pool) impl_->handler_pool->GrowTo(threads);
}

int HttpServer::active_requests() const { return impl_->active_requests.load(); }

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(impl_->connections_mu);
  return impl_->open;
}

std::uint64_t HttpServer::refused_connections(std::string_view limit) const {
  return limit == "total" ? impl_->refused_total.load() : impl_->refused_address.load();
}

void HttpServer::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [this] { return impl_->stopped; });
}

void RaiseFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace aip::net
