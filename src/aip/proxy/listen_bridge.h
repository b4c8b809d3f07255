// ListenBridge: `aip proxy URL --listen HOST:PORT` — the same signing relay as the stdio bridge,
// served as local Streamable HTTP for clients that speak only HTTP. The proxy signs with the
// user's identity, so it must not lend that identity to anyone else on the machine: every
// request must carry the per-run token (`Authorization: Bearer <token>`, compared in constant
// time), Host and Origin must be loopback (DNS rebinding), and the remote's answers — JSON or
// an event stream — are relayed as they arrive, with the session header passed through, so the
// local client keeps the remote's session and era. The caller's own Authorization never leaves.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/proxy/definition_screen.h"
#include "aip/proxy/remote_endpoint.h"

namespace aip::net {
class HttpServer;
struct HttpRequest;
class Exchange;
class ResponseStream;
}  // namespace aip::net

namespace aip::proxy {

struct ListenBridgeOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  std::string token;  // Required of every caller; at least 32 characters.
  int threads = 64;   // Requests relayed at once (an open event stream holds one).
  // How often an open event stream gets a comment line: a client that left is found by the
  // write that fails, and its stream from the remote is closed.
  std::chrono::milliseconds keepalive{std::chrono::seconds(10)};
  // Poll this long instead of sleeping while idle (net/busy_poll.h); 0: never.
  std::chrono::microseconds busy_poll{100};
  std::function<void(std::string_view line)> log;
  // Tool integrity, as over stdio (definition_screen.h): listings screened, withheld calls refused.
  std::shared_ptr<DefinitionScreen> screen;
};

class ListenBridge {
 public:
  static Result<std::unique_ptr<ListenBridge>> Start(RemoteEndpoint& remote, ListenBridgeOptions options);
  ~ListenBridge();
  std::string url() const;  // "http://127.0.0.1:PORT/mcp"
  void Wait();
  void Stop();

 private:
  // OpenStream is an event stream being relayed to a local client; its writes are serialized
  // because the keep-alive comes from another thread.
  struct OpenStream {
    std::mutex mu;
    net::ResponseStream* out = nullptr;
    Exchange* remote = nullptr;
    std::string session;
    bool Write(std::string_view data);
  };
  ListenBridge(RemoteEndpoint& remote, ListenBridgeOptions options);
  void Handle(const net::HttpRequest& request, net::Exchange& exchange);
  // ScreenFirst: before a call reaches the remote, a listing of its kind is made (when none was
  // screened yet, with the caller's session headers and _meta) and the call refused when the
  // pins withhold it; nullopt lets it through.
  std::optional<json::Object> ScreenFirst(const json::Object& request, const net::Headers& headers);
  void KeepAlive();
  // EndSession cuts the relayed streams of a session the client ended (DELETE).
  void EndSession(std::string_view session);

  RemoteEndpoint& remote_;
  ListenBridgeOptions options_;
  crypto::SecretBytes expected_authorization_;
  std::mutex streams_mu_;
  std::list<std::shared_ptr<OpenStream>> streams_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread keepalive_;
  std::unique_ptr<net::HttpServer> server_;
};

// NewProxyToken returns a fresh per-run token (256 random bits, base64url).
std::string NewProxyToken();

}  // namespace aip::proxy
