#include "aip/net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(Url base, HttpClientOptions options)
    : base_(std::move(base)), options_(options), impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() { Close(); }
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

void HttpClient::Close() {
  if (impl_ && impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    impl_->stream.reset();
  }
}

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target, const Headers& headers,
                                      std::string_view body, const std::function<void(const SseEvent&)>& on_event) {
  if (base_.scheme != "http") return UnavailableError("https is not supported by this client yet");
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!impl_->stream) {
      tcp::resolver resolver(impl_->io);
      auto results = resolver.resolve(base_.host, std::to_string(base_.port), ec);
      if (ec) return UnavailableError("cannot resolve " + base_.host + ": " + ec.message());
      impl_->stream.emplace(impl_->io);
      impl_->stream->expires_after(options_.timeout);
      impl_->stream->connect(results, ec);
      if (ec) {
        impl_->stream.reset();
        return UnavailableError("cannot connect to " + base_.Origin() + ": " + ec.message());
      }
      impl_->stream->socket().set_option(tcp::no_delay(true), ec);
      impl_->buffer.clear();
    }
    http::request<http::string_body> req{http::string_to_verb(method), std::string(target), 11};
    req.set(http::field::host, base_.host + ":" + std::to_string(base_.port));
    for (const auto& [n, v] : headers.fields()) req.set(n, v);
    req.body() = std::string(body);
    req.keep_alive(true);
    req.prepare_payload();
    auto& sock = impl_->stream->socket();
    // Synchronous calls with a socket-level deadline: SO_RCVTIMEO/SO_SNDTIMEO bound each syscall.
    timeval tv{static_cast<time_t>(options_.timeout.count() / 1000),
               static_cast<suseconds_t>((options_.timeout.count() % 1000) * 1000)};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    http::write(sock, req, ec);
    if (ec) {
      Close();
      if (reused) continue;  // The server closed an idle keep-alive connection: retry once.
      return UnavailableError("send failed: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    http::read_header(sock, impl_->buffer, parser, ec);
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
      http::read_some(sock, impl_->buffer, parser, ec);
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
