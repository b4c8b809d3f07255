#include "aip/net/http_client.h"

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
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  std::optional<asio::ssl::context> tls;
  std::optional<beast::ssl_stream<beast::tcp_stream&>> tls_stream;
  beast::flat_buffer buffer;

  // Run performs one asynchronous operation on this client's own io_context, under a deadline on
  // the stream: a peer that accepts and then stops answering ends the operation with a timeout.
  // (Blocking socket calls cannot be bounded: with SO_RCVTIMEO Asio turns the EAGAIN it gets into
  // a poll() without a time limit.)
  template <class Initiate>
  beast::error_code Run(std::chrono::milliseconds timeout, Initiate&& initiate) {
    stream->expires_after(timeout);
    beast::error_code result = asio::error::operation_aborted;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    return result;
  }
  // On the TLS stream when there is one, else on the TCP stream.
  template <class Op>
  beast::error_code OnStream(std::chrono::milliseconds timeout, Op&& op) {
    return Run(timeout, [&](auto handler) {
      if (tls_stream) {
        op(*tls_stream, std::move(handler));
      } else {
        op(*stream, std::move(handler));
      }
    });
  }
};

bool IsPublicAddress(const std::string& ip) {
  beast::error_code ec;
  auto a = asio::ip::make_address(ip, ec);
  if (ec) return false;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    if (b[0] == 0 || b[0] == 10 || b[0] == 127) return false;
    if (b[0] == 169 && b[1] == 254) return false;
    if (b[0] == 172 && (b[1] & 0xf0) == 16) return false;
    if (b[0] == 192 && b[1] == 168) return false;
    if (b[0] == 100 && (b[1] & 0xc0) == 64) return false;  // Carrier-grade NAT.
    return true;
  }
  auto v6 = a.to_v6();
  auto b = v6.to_bytes();
  if (v6.is_loopback() || v6.is_unspecified() || v6.is_link_local()) return false;
  if ((b[0] & 0xfe) == 0xfc) return false;  // fc00::/7 unique local.
  return true;
}

HttpClient::HttpClient(Url base, HttpClientOptions options)
    : base_(std::move(base)), options_(options), impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() { Close(); }
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::Close() {
  if (impl_) impl_->tls_stream.reset();
  if (impl_ && impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    impl_->stream.reset();
  }
}

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target, const Headers& headers,
                                      std::string_view body, const std::function<void(const SseEvent&)>& on_event) {
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!impl_->stream) {
      tcp::resolver resolver(impl_->io);
      auto results = resolver.resolve(base_.host, std::to_string(base_.port), ec);
      if (ec) return UnavailableError("cannot resolve " + base_.host + ": " + ec.message());
      std::vector<tcp::endpoint> allowed;
      for (const auto& r : results) {
        if (!options_.allow_address || options_.allow_address(r.endpoint().address().to_string())) {
          allowed.push_back(r.endpoint());
        }
      }
      if (allowed.empty()) return PermissionDeniedError(base_.host + " resolves only to addresses that are not allowed");
      impl_->stream.emplace(impl_->io);
      ec = impl_->Run(options_.timeout, [&](auto handler) { impl_->stream->async_connect(allowed, std::move(handler)); });
      if (ec) {
        impl_->stream.reset();
        return UnavailableError("cannot connect to " + base_.Origin() + ": " + ec.message());
      }
      impl_->stream->socket().set_option(tcp::no_delay(true), ec);
      impl_->buffer.clear();
      impl_->buffer.reserve(16 * 1024);  // Whole typical responses per read.
      if (base_.scheme == "https") {
        if (!impl_->tls) {
          impl_->tls.emplace(asio::ssl::context::tls_client);
          impl_->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                                  asio::ssl::context::no_tlsv1_1);
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
        ec = impl_->Run(options_.timeout, [&](auto handler) {
          impl_->tls_stream->async_handshake(asio::ssl::stream_base::client, std::move(handler));
        });
        if (ec) {
          Close();
          return UnavailableError("TLS handshake with " + base_.host + " failed: " + ec.message());
        }
      }
    }
    AIP_ASSIGN_OR_RETURN(std::string wire, RenderRequest(method, target, base_.host + ":" + std::to_string(base_.port), headers, body));
    auto timeout = options_.timeout;
    ec = impl_->OnStream(timeout, [&](auto& stream, auto handler) { asio::async_write(stream, asio::buffer(wire), std::move(handler)); });
    if (ec) {
      Close();
      if (reused && ec != beast::error::timeout) continue;  // The server closed an idle keep-alive connection: retry once.
      return UnavailableError("send failed: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    ec = impl_->OnStream(timeout, [&](auto& stream, auto handler) {
      http::async_read_header(stream, impl_->buffer, parser, std::move(handler));
    });
    if (ec) {
      Close();
      if (reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset)) continue;
      return UnavailableError("no response: " + ec.message());
    }
    bool sse = parser.get()[http::field::content_type].starts_with("text/event-stream");
    SseParser sse_parser;
    std::size_t seen = 0;
    Status sse_status;
    while (!parser.is_done()) {
      ec = impl_->OnStream(timeout, [&](auto& stream, auto handler) {
        http::async_read_some(stream, impl_->buffer, parser, std::move(handler));
      });
      if (ec) break;
      if (sse && on_event) {
        const std::string& b = parser.get().body();
        Status st = sse_parser.Feed(std::string_view(b).substr(seen), on_event);
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
