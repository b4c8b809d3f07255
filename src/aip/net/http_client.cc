#include "aip/net/http_client.h"

#include <sys/socket.h>

#include <atomic>
#include <mutex>

#include "aip/net/deadline_socket.h"
#include "aip/net/event_loop.h"
#include "aip/net/resolve.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aip::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  asio::io_context io;  // Name resolution and connecting only.
  std::optional<tcp::socket> socket;
  std::optional<DeadlineSocket> stream;
  std::optional<asio::ssl::context> tls;
  std::optional<asio::ssl::stream<DeadlineSocket&>> tls_stream;
  beast::flat_buffer buffer;
  // The connected socket's descriptor for Abort from another thread; the lock keeps Close from
  // releasing the descriptor (which the system may then reuse) while Abort shuts it down.
  std::mutex fd_mu;
  int fd = -1;
  std::atomic<bool> aborted{false};

  // Connect connects to the first of `endpoints` that answers within `timeout` (asynchronously
  // on the client's own io_context, under the stream's deadline).
  beast::error_code Connect(const std::vector<tcp::endpoint>& endpoints, std::chrono::milliseconds timeout) {
    if (OnEventLoop()) return ConnectOnLoop(endpoints, timeout);
    beast::tcp_stream connecting(io);
    connecting.expires_after(timeout);
    beast::error_code result = asio::error::operation_aborted;
    connecting.async_connect(endpoints, [&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    if (!result) {
      socket.emplace(connecting.release_socket());
      stream.emplace(*socket);
      std::lock_guard lock(fd_mu);
      fd = socket->native_handle();
    }
    return result;
  }
  // ConnectOnLoop connects without blocking the event loop's thread: the request's fiber waits
  // for each attempt (event_loop.h), all of them within `timeout`.
  beast::error_code ConnectOnLoop(const std::vector<tcp::endpoint>& endpoints, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    beast::error_code ec = asio::error::host_not_found;
    for (const auto& endpoint : endpoints) {
      tcp::socket s(io);
      s.open(endpoint.protocol(), ec);
      if (!ec) s.non_blocking(true, ec);
      if (ec) continue;
      if (::connect(s.native_handle(), endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
        if (errno != EINPROGRESS) {
          ec = beast::error_code(errno, boost::system::system_category());
          continue;
        }
        if (int err = FinishConnect(s.native_handle(), deadline); err == ETIMEDOUT && std::chrono::steady_clock::now() >= deadline) {
          ec = beast::error::timeout;
          break;
        } else if (err != 0) {
          ec = beast::error_code(err, boost::system::system_category());
          continue;
        }
      }
      ec = {};
      socket.emplace(std::move(s));
      stream.emplace(*socket);
      std::lock_guard lock(fd_mu);
      fd = socket->native_handle();
      break;
    }
    return ec;
  }
  // Do runs `op` with the TLS stream when there is one, else the TCP stream, under the deadline
  // set last on the stream.
  template <class Op>
  beast::error_code Do(Op&& op) {
    beast::error_code ec;
    if (tls_stream) {
      op(*tls_stream, ec);
    } else {
      op(*stream, ec);
    }
    return ec;
  }
};

HttpClient::HttpClient(Url base, HttpClientOptions options) : base_(std::move(base)), options_(options), impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() { Close(); }
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::Close() {
  if (!impl_) return;
  impl_->tls_stream.reset();
  impl_->stream.reset();
  std::lock_guard lock(impl_->fd_mu);
  impl_->fd = -1;
  if (impl_->socket) {
    beast::error_code ec;
    impl_->socket->shutdown(tcp::socket::shutdown_both, ec);
    impl_->socket.reset();
  }
}

void HttpClient::Abort() {
  if (!impl_) return;
  std::lock_guard lock(impl_->fd_mu);
  impl_->aborted = true;
  if (impl_->fd >= 0) ::shutdown(impl_->fd, SHUT_RDWR);
}

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target, const Headers& headers, std::string_view body,
                                      const std::function<void(const SseEvent&)>& on_event,
                                      const std::function<void(int, const Headers&)>& on_head) {
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (impl_->aborted) return UnavailableError("the request was abandoned");
    bool reused = impl_->socket.has_value();
    if (!impl_->socket) {
      auto addresses = DeadlineResolver::System().Resolve(base_.host, options_.timeout);
      if (!addresses.ok()) return Error{addresses.error().code, "cannot resolve " + base_.host + ": " + addresses.error().message};
      std::vector<tcp::endpoint> allowed;
      for (const auto& ip : *addresses) {
        auto address = asio::ip::make_address(ip, ec);
        if (!ec && (!options_.allow_address || options_.allow_address(ip))) allowed.emplace_back(address, base_.port);
      }
      if (allowed.empty()) return PermissionDeniedError(base_.host + " resolves only to addresses that are not allowed");
      ec = impl_->Connect(allowed, options_.timeout);
      if (ec) return UnavailableError("cannot connect to " + base_.Origin() + ": " + ec.message());
      impl_->socket->set_option(tcp::no_delay(true), ec);
      impl_->buffer.clear();
      impl_->buffer.reserve(16 * 1024);  // Whole typical responses per read.
      if (base_.scheme == "https") {
        if (!impl_->tls) {
          impl_->tls.emplace(asio::ssl::context::tls_client);
          impl_->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                                  asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
          impl_->tls->set_default_verify_paths(ec);
          if (!options_.ca_file.empty()) {
            impl_->tls->load_verify_file(options_.ca_file, ec);
            if (ec) return InvalidArgumentError("CA file " + options_.ca_file + ": " + ec.message());
          }
          impl_->tls->set_verify_mode(asio::ssl::verify_peer);
        }
        impl_->tls_stream.emplace(*impl_->stream, *impl_->tls);
        impl_->tls_stream->set_verify_callback(asio::ssl::host_name_verification(base_.host));
        if (!SSL_set_tlsext_host_name(impl_->tls_stream->native_handle(), base_.host.c_str())) {
          Close();
          return UnavailableError("TLS: cannot set the server name");
        }
        impl_->stream->ExpiresAfter(options_.timeout);
        impl_->tls_stream->handshake(asio::ssl::stream_base::client, ec);
        if (ec) {
          Close();
          return UnavailableError("TLS handshake with " + base_.host + " failed: " + ec.message());
        }
      }
    }
    AIP_ASSIGN_OR_RETURN(std::string wire, RenderRequest(method, target, base_.host + ":" + std::to_string(base_.port), headers, body));
    // One deadline for the whole exchange, so a peer that answers a byte at a time cannot hold
    // the caller longer than `timeout`; only an event stream's body, which may rightly last, gets
    // `timeout` between its reads instead.
    impl_->stream->ExpiresAfter(options_.timeout);
    ec = impl_->Do([&](auto& stream, beast::error_code& e) { asio::write(stream, asio::buffer(wire), e); });
    if (ec) {
      Close();
      if (reused && ec != beast::error::timeout) continue;  // The server closed an idle keep-alive connection: retry once.
      return UnavailableError("send failed: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    ec = impl_->Do([&](auto& stream, beast::error_code& e) { http::read_header(stream, impl_->buffer, parser, e); });
    if (ec) {
      Close();
      if (reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset)) continue;
      return UnavailableError("no response: " + ec.message());
    }
    bool sse = parser.get()[http::field::content_type].starts_with("text/event-stream");
    if (on_head) {
      Headers head;
      for (const auto& f : parser.get()) head.Add(f.name_string(), f.value());
      on_head(static_cast<int>(parser.get().result_int()), head);
    }
    SseParser sse_parser;
    std::size_t seen = 0;
    Status sse_status;
    const auto started = std::chrono::steady_clock::now();
    auto stream_deadline = started + options_.timeout;
    auto counted = [&](const SseEvent& e) {
      // An event shows the peer is working: it buys another `timeout`, never past max_stream.
      stream_deadline = std::min(std::chrono::steady_clock::now() + options_.timeout, started + options_.max_stream);
      on_event(e);
    };
    while (!parser.is_done()) {
      if (sse && options_.max_stream.count() == 0) {
        impl_->stream->ExpiresAfter(options_.timeout);
      } else if (sse) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(stream_deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          Close();
          return UnavailableError("reading the response failed: the event stream passed its deadline (timeout)");
        }
        impl_->stream->ExpiresAfter(left);
      }
      ec = impl_->Do([&](auto& stream, beast::error_code& e) { http::read_some(stream, impl_->buffer, parser, e); });
      if (ec) break;
      if (sse && on_event) {
        const std::string& b = parser.get().body();
        Status st = sse_parser.Feed(std::string_view(b).substr(seen), counted);
        seen = b.size();
        if (!st.ok()) {
          sse_status = st;
          break;
        }
      }
    }
    if (ec && ec != http::error::end_of_stream) {
      Close();
      return UnavailableError("reading the response failed: " + ec.message());
    }
    if (!sse_status.ok()) {
      Close();
      return sse_status;
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.Add(f.name_string(), f.value());
    out.body = std::move(res.body());
    if (!res.keep_alive()) Close();
    return out;
  }
  return UnavailableError("connection closed by the server");
}

}  // namespace aip::net
