#include "aip/oauth/redirect_listener.h"

#include <condition_variable>
#include <mutex>
#include <optional>

#include "aip/crypto/secret_bytes.h"
#include "aip/net/http_server.h"
#include "aip/oauth/form.h"

namespace aip::oauth {
namespace {

net::HttpResponse Page(int status, std::string_view text) {
  net::HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", "text/html; charset=utf-8");
  r.headers.Set("cache-control", "no-store");
  r.headers.Set("referrer-policy", "no-referrer");  // The query holds the code.
  r.body = "<!doctype html><title>aip</title><p>" + std::string(text) + "</p>\n";
  return r;
}

}  // namespace

struct RedirectListener::Impl {
  std::unique_ptr<net::HttpServer> server;
  std::mutex mu;
  std::condition_variable cv;
  std::string state;  // The login being waited for; empty: none.
  std::optional<std::map<std::string, std::string>> response;

  void Handle(const net::HttpRequest& request, net::Exchange& exchange) {
    if (request.method != "GET" || request.Path() != "/callback") {
      exchange.Respond(Page(404, "Not found."));
      return;
    }
    std::size_t q = request.target.find('?');
    auto params = ParseForm(q == std::string::npos ? "" : std::string_view(request.target).substr(q + 1));
    std::lock_guard lock(mu);
    const std::string* got = nullptr;
    if (params) {
      auto it = params->find("state");
      if (it != params->end()) got = &it->second;
    }
    if (got == nullptr || state.empty() || response.has_value() || !crypto::ConstantTimeEquals(AsBytes(*got), AsBytes(state))) {
      exchange.Respond(Page(400, "This sign-in response is not the one aip is waiting for."));
      return;
    }
    response = std::move(*params);
    cv.notify_all();
    bool denied = response->contains("error");
    exchange.Respond(Page(
        200, denied ? "Sign-in was not completed. You can close this window." : "Signed in. You can close this window and return to aip."));
  }
};

RedirectListener::RedirectListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedirectListener::~RedirectListener() {
  if (impl_->server) impl_->server->Stop(std::chrono::milliseconds(200));
}

Result<std::unique_ptr<RedirectListener>> RedirectListener::Start(std::uint16_t port) {
  auto impl = std::make_unique<Impl>();
  net::HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = port;
  options.threads = 1;
  options.max_body_bytes = 1024;
  options.idle_timeout = std::chrono::seconds(10);
  Impl* raw = impl.get();
  AIP_ASSIGN_OR_RETURN(impl->server,
                       net::HttpServer::Start(options, [raw](const net::HttpRequest& r, net::Exchange& e) { raw->Handle(r, e); }));
  return std::unique_ptr<RedirectListener>(new RedirectListener(std::move(impl)));
}

std::string RedirectListener::redirect_uri() const { return "http://127.0.0.1:" + std::to_string(impl_->server->port()) + "/callback"; }

Result<std::map<std::string, std::string>> RedirectListener::Wait(const std::string& state, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->state = state;
  impl_->response.reset();
  bool arrived = impl_->cv.wait_for(lock, timeout, [&] { return impl_->response.has_value(); });
  impl_->state.clear();
  if (!arrived) return UnavailableError("no sign-in response arrived within " + std::to_string(timeout.count() / 1000) + " s");
  auto out = std::move(*impl_->response);
  impl_->response.reset();
  return out;
}

}  // namespace aip::oauth
