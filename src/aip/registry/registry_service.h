// RegistryService: the registry's HTTP API (docs/registry.md lists every route). It stores only
// self-authenticating records — registrations signed by the agent's own key, vouches and
// revocations signed by their issuers — so neither its clients nor its federation peers have to
// trust it. Writes are signed, timestamped, nonce'd requests (signed_request.h); requests are
// rate-limited per client address, writes also per DID; bodies are bounded.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aip/net/forwarded.h"
#include "aip/net/http.h"
#include "aip/net/http_server.h"
#include "aip/policy/rate_limits.h"
#include "aip/registry/federation.h"
#include "aip/registry/hosted_directories.h"
#include "aip/registry/rate_limiter.h"
#include "aip/registry/registry_store.h"
#include "aip/registry/signed_request.h"
#include "aip/registry/trust_index.h"

namespace aip::registry {

struct RegistryOptions {
  // How clients reach this registry ("https://registry.example"): the base of the target URI
  // signed requests must name, and of the feeds' links. Required for writes.
  std::string public_url;
  std::size_t max_body_bytes = 64 * 1024;
  double requests_per_second_per_address = 50, burst_per_address = 200;
  double writes_per_second_per_did = 5, write_burst_per_did = 50;
  // Behind reverse proxies: the client address is read from X-Forwarded-For / Forwarded, believed
  // only when the TCP peer is one of these (net/forwarded.h). Empty: the TCP peer, always.
  net::TrustedProxies trusted_proxies;
  // Rate-limit buckets several instances share (redis/bucket_store.h); null: this process's own.
  // A store that cannot be asked refuses requests with 503 (fail closed).
  std::shared_ptr<policy::BucketStore> shared_limits;
  int max_page = 200;
  PeerPullOptions peers;  // Federation: how peers are fetched.
  // Web Bot Auth key directories hosted for registered agents at <name>.<bot_domain>
  // (host[:port], a wildcard name pointing here); empty: none (hosted_directories.h).
  std::string bot_domain;
};

class RegistryService {
 public:
  RegistryService(std::shared_ptr<RegistryStore> store, RegistryOptions options, const Clock* clock = &DefaultClock());
  // Handle answers one request (runs on the HTTP server's threads).
  void Handle(const net::HttpRequest& request, net::Exchange& exchange);
  // Tick catches the trust index up with the store and pulls from peers that are due; the
  // server calls it about once a second.
  void Tick();
  TrustIndex& index() { return index_; }

 private:
  net::HttpResponse Route(const net::HttpRequest& request);
  // PostRecord verifies and stores a signed registration, vouch or revocation.
  net::HttpResponse PostRecord(const net::HttpRequest& request, std::string_view kind);
  net::HttpResponse GetDirectory(const net::HttpRequest& request);
  net::HttpResponse GetAgent(std::string_view did);
  net::HttpResponse GetDid(std::string_view did);
  // GetIdentity answers the rotation chain through a did:key (each record signed, for the
  // client to verify) and whether it was deactivated.
  net::HttpResponse GetIdentity(std::string_view did);
  static std::string IdentityJson(const IdentityHistory& history);
  net::HttpResponse GetVouches(const net::HttpRequest& request);
  net::HttpResponse GetTrust(const net::HttpRequest& request);
  net::HttpResponse GetGraph(const net::HttpRequest& request);
  net::HttpResponse GetRecords(const net::HttpRequest& request);
  net::HttpResponse GetEvents(const net::HttpRequest& request, bool atom);
  net::HttpResponse GetBadge(std::string_view did);
  net::HttpResponse GetStats();
  net::HttpResponse PostMessage(const net::HttpRequest& request);
  net::HttpResponse GetMessages(const net::HttpRequest& request);
  net::HttpResponse DeleteMessage(const net::HttpRequest& request, std::string_view id);
  // The hosted key directories: PUT/DELETE /v1/bot-directories/{name} (signed by the agent),
  // GET /v1/bot-directories (the bot domain).
  net::HttpResponse BotDirectories(const net::HttpRequest& request, std::string_view name);
  // Signer verifies the request's signature and the signer's budget: the DID that signed, or
  // nullopt with `refusal` set (401, 429).
  std::optional<std::string> Signer(const net::HttpRequest& request, net::HttpResponse& refusal);
  // Limit takes a token from `key`'s bucket of limit `id` — in the shared store when there is one
  // — or returns the refusal: 429 with Retry-After, or 503 when the store cannot be asked.
  std::optional<net::HttpResponse> Limit(KeyedRateLimiter& local, std::string_view id, const std::string& key, double rate, double burst);

  std::shared_ptr<RegistryStore> store_;
  RegistryOptions options_;
  const Clock* clock_;
  RequestVerifier verifier_;
  TrustIndex index_;
  Federation federation_;
  HostedDirectories hosted_;
  KeyedRateLimiter per_address_;
  KeyedRateLimiter per_did_;
  std::atomic<std::uint64_t> ticks_{0};
  std::atomic<bool> limits_store_up_{true};  // Outages are logged when they begin and end.
};

// ServeRegistry runs the registry on `listen` until SIGINT/SIGTERM. Without a public URL in
// `options`, it is the address it listens on (http:// or https://, the port it bound).
struct ServeOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8700;
  int threads = 2;
  std::string tls_cert_file, tls_key_file;
};
Status ServeRegistry(std::shared_ptr<RegistryStore> store, RegistryOptions options, const ServeOptions& serve);

}  // namespace aip::registry
