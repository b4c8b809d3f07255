#include "aip/gateway/gateway_service.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "aip/base/encoding.h"
#include "aip/gateway/auth/feature.h"
#include "aip/gateway/definition_guard.h"
#include "aip/gateway/log.h"
#include "aip/identity/key_store.h"
#include "aip/gateway/mcp_upstream.h"
#include "aip/gateway/trust_condition.h"
#include "aip/gateway/trust_feed.h"
#include "aip/gateway/witness_publisher.h"
#include "aip/net/busy_poll.h"

namespace aip::gateway {
namespace {

// HandlerThreads: `threads` for everything, plus each upstream's own share (pool + queue), so
// calls that wait on one slow upstream cannot take the threads the others need.
int HandlerThreads(const GatewayConfig& config) {
  int n = config.threads;
  for (const auto& u : config.upstreams) n += u.pool + u.queue;
  return n;
}

// RunsOnEventLoops: calls run on event loops unless switched off, or with TLS, whose records the
// handler writes synchronously (docs/architecture.md lists what waits without holding a thread).
bool RunsOnEventLoops(const GatewayConfig& config) { return config.event_loop && config.tls_cert.empty(); }

// IoThreads: as configured, else one event loop per core (at most 16), or one I/O thread in front
// of handler threads.
int IoThreads(const GatewayConfig& config) {
  if (config.io_threads > 0) return config.io_threads;
  if (!RunsOnEventLoops(config)) return 1;
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 16);
}

bool SameCredential(const std::optional<OutboundCredential>& a, const std::optional<OutboundCredential>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->header == b->header && a->env_var == b->env_var && a->secret->Equals(*b->secret);
}

void WarnIfUnsafe(const GatewayConfig& config) {
  if (config.unsafe_allow_all) {
    LogEvent("warning", "unsafe_allow_all",
             json::Object{{"message", "every caller may call every tool: development only, never expose this gateway"}});
  }
}

}  // namespace

Result<std::unique_ptr<GatewayService>> GatewayService::Start(GatewayConfig config, std::string config_path,
                                                              std::shared_ptr<const identity::Identity> identity) {
  std::unique_ptr<GatewayService> g(new GatewayService());
  g->config_path_ = std::move(config_path);
  g->identity_ = std::move(identity);
  g->metrics_ = std::make_shared<Metrics>();
  WarnIfUnsafe(config);
  if (!config.audit.path.empty()) {
    AIP_ASSIGN_OR_RETURN(auto audit, AuditLog::Open(config.audit, g->identity_));
    if (!config.audit.witness.empty()) {
      // The log holds the publisher through its hook: the final checkpoint, written when the
      // log closes, is still sent (for up to 2 s).
      g->metrics_->Describe("aip_gateway_audit_witness_total", Metrics::Type::kCounter,
                            "Checkpoints sent to the witness, by result (ok, refused, unavailable, bad_receipt).");
      auto publisher = std::make_shared<WitnessPublisher>(config.audit.witness, config.audit.witness_did, g->metrics_);
      audit->OnCheckpoint([publisher](std::string line) { publisher->Publish(std::move(line)); });
    }
    g->audit_ = std::move(audit);
    // Counters the log keeps itself, read at each scrape.
    auto counter = [&g](const char* name, const char* help, std::uint64_t (AuditLog::*read)() const) {
      g->metrics_->Describe(name, Metrics::Type::kCounter, help);
      g->metrics_->SetCallback(name, [audit = std::weak_ptr<AuditLog>(g->audit_), read] {
        auto log = audit.lock();
        return std::vector<std::pair<Labels, double>>{{{}, log ? static_cast<double>(((*log).*read)()) : 0.0}};
      });
    };
    counter("aip_gateway_audit_syncs_total", "fdatasyncs of the audit log's group commit (fewer than its lines when calls overlap).",
            &AuditLog::group_syncs);
    counter("aip_gateway_audit_writes_total", "write(2) calls of the audit log (fewer than its lines when calls on a loop share one).",
            &AuditLog::writes);
  } else {
    LogEvent("warning", "no_audit_log", json::Object{{"message", "no [audit] path: decisions are not recorded"}});
  }

  if (config.trust.enabled) {
    auto store = trust::TrustStore::Open(config.trust.db.empty() ? trust::DefaultTrustDatabasePath().string() : config.trust.db);
    if (!store) return InvalidArgumentError(config.source + ": trust.db: " + store.error().message);
    std::vector<std::string> anchors = config.trust.anchors;
    if (g->identity_) anchors.push_back(g->identity_->did());  // The gateway trusts itself.
    std::shared_ptr<trust::TrustStore> shared_store(std::move(*store));
    g->trust_view_ = std::make_shared<trust::TrustView>(shared_store, trust::TrustParams{}, anchors);
    AIP_RETURN_IF_ERROR(g->trust_view_->Refresh());
    if (!config.trust.registry.empty()) {
      // The sync starts from every anchor the view uses: the store's, the configuration's, ours.
      AIP_ASSIGN_OR_RETURN(std::vector<std::string> stored, shared_store->Anchors());
      anchors.insert(anchors.end(), stored.begin(), stored.end());
      auto feed = TrustFeed::Start(config.trust.registry, config.trust.sync_every, shared_store, anchors, g->metrics_);
      if (!feed) return InvalidArgumentError(config.source + ": trust.registry: " + feed.error().message);
      g->trust_feed_ = std::move(*feed);
    }
  }

  // Authentication: an AIP proof in _meta or an RFC 9421 signature; one replay cache for both.
  // The replay cache and rate-limit buckets: shared with the other instances, or this process's.
  AIP_ASSIGN_OR_RETURN(g->stores_, SharedStores::Open(config, *g->metrics_));
  g->replay_ = g->stores_->replay();
  // Each way in is built from its own section by its registered factory (auth/features.cc).
  auto chain = std::make_shared<authn::AuthenticatorChain>();
  AuthFeatureContext context{config, g->replay_, g->metrics_};
  for (AuthFeatureFactory factory : AuthFeatureFactories()) {
    AIP_ASSIGN_OR_RETURN(std::unique_ptr<AuthFeature> feature, factory(context));
    if (!feature) continue;
    AIP_RETURN_IF_ERROR(chain->Add(feature->authenticator()));
    g->auth_features_.push_back(std::move(feature));
  }
  g->router_ = Pipeline::Standard(chain, g->audit_);
  PipelineMetrics::Describe(*g->metrics_);

  g->metrics_->Describe("aip_gateway_upstream_up", Metrics::Type::kGauge, "1 when the upstream is connected.");
  g->metrics_->Describe("aip_gateway_definition_changes_total", Metrics::Type::kCounter,
                        "Tool and prompt definitions that differ from their approved pins, by change (each counted once).");
  g->metrics_->Describe("aip_gateway_definitions_withheld", Metrics::Type::kGauge,
                        "Tools and prompts a pinned upstream lists that are withheld until approved.");
  g->metrics_->Describe("aip_gateway_replay_cache_entries", Metrics::Type::kGauge, "Nonces remembered against replay.");
  g->metrics_->Describe("aip_gateway_config_reloads_total", Metrics::Type::kCounter, "Configuration reloads by result.");
  GatewayService* self = g.get();
  g->metrics_->SetCallback("aip_gateway_upstream_up", [self] {
    std::vector<std::pair<Labels, double>> out;
    if (auto st = self->router_->state()) {
      for (const auto& [name, u] : st->upstreams) out.push_back({{{"upstream", name}}, u->up() ? 1.0 : 0.0});
    }
    return out;
  });
  g->metrics_->SetCallback("aip_gateway_replay_cache_entries", [self] {
    return std::vector<std::pair<Labels, double>>{{{}, static_cast<double>(self->replay_->size())}};
  });
  g->metrics_->Describe("aip_gateway_busy_poll_budget_microseconds", Metrics::Type::kGauge,
                        "How long an idle gateway polls instead of sleeping (gateway.busy_poll_us; 0: never).");
  g->metrics_->SetCallback("aip_gateway_busy_poll_budget_microseconds", [] {
    return std::vector<std::pair<Labels, double>>{{{}, static_cast<double>(net::busy_poll::Budget().count())}};
  });
  g->metrics_->Describe("aip_gateway_busy_polls_total", Metrics::Type::kCounter,
                        "Polls that saw what they waited for (answered) or gave up and slept (gave_up).");
  g->metrics_->SetCallback("aip_gateway_busy_polls_total", [] {
    auto totals = net::busy_poll::PollTotals();
    return std::vector<std::pair<Labels, double>>{{{{"result", "answered"}}, static_cast<double>(totals.answered)},
                                                  {{{"result", "gave_up"}}, static_cast<double>(totals.gave_up)}};
  });

  g->metrics_->Describe("aip_gateway_connections_refused_total", Metrics::Type::kCounter,
                        "Client connections closed at once because a limit was reached (total, or per address).");
  g->metrics_->SetCallback("aip_gateway_connections_refused_total", [self] {
    if (!self->server_) return std::vector<std::pair<Labels, double>>{};
    return std::vector<std::pair<Labels, double>>{
        {{{"limit", "total"}}, static_cast<double>(self->server_->refused_connections("total"))},
        {{{"limit", "address"}}, static_cast<double>(self->server_->refused_connections("address"))}};
  });
  g->metrics_->Describe("aip_gateway_open_connections", Metrics::Type::kGauge, "Client connections open now.");
  g->metrics_->SetCallback("aip_gateway_open_connections", [self] {
    return std::vector<std::pair<Labels, double>>{{{}, self->server_ ? static_cast<double>(self->server_->open_connections()) : 0.0}};
  });

  auto state = g->BuildState(config, nullptr);
  for (const auto& [name, u] : state->upstreams) u->WaitUntilUp(std::chrono::seconds(10));
  g->router_->SetState(state);

  mcp::ServerOptions so;
  so.instructions = "aip gateway: tools of several MCP servers, namespaced as <server>.<tool>.";
  g->mcp_ = std::make_unique<mcp::McpServer>(mcp::Implementation{"aip-gateway", "0.1.0", "aip gateway"}, std::move(so));
  g->mcp_->SetRouter(g->router_);
  g->mcp_->SetSessionAuthenticator(chain);  // A session belongs to whoever proves itself on initialize.

  mcp::StreamableHttpOptions topts;
  topts.allowed_origins = config.allowed_origins;
  topts.allowed_hosts = config.allowed_hosts;
  topts.max_sessions = config.max_sessions;
  topts.max_sessions_per_caller = config.max_sessions_per_caller;
  topts.session_idle_timeout = config.session_idle_timeout;
  if (!config.session_secret.empty()) {
    AIP_ASSIGN_OR_RETURN(topts.session_sealer,
                         mcp::SessionSealer::Create(config.session_secret.RevealSecret(),
                                                    std::chrono::duration_cast<std::chrono::seconds>(config.session_max_age)));
  }
  if (!config.public_url.empty()) {
    auto u = net::ParseUrl(config.public_url);
    if (!u) return InvalidArgumentError(config.source + ": gateway.public_url: " + u.error().message);
    topts.public_base = u->Origin();
    topts.path = u->target;
  }
  g->transport_ = std::make_unique<mcp::StreamableHttpTransport>(*g->mcp_, topts);

  net::HttpServerOptions hopts;
  auto listen = net::ParseHostPort(config.listen);
  if (!listen) return InvalidArgumentError(config.source + ": gateway.listen: " + listen.error().message);
  hopts.address = listen->host;
  hopts.port = listen->port;
  // Process-wide (net/busy_poll.h): one gateway per process; off again at Stop.
  net::busy_poll::SetBudget(std::chrono::microseconds(config.busy_poll_us));
  hopts.loop_handlers = RunsOnEventLoops(config);
  hopts.max_loop_requests = static_cast<std::size_t>(config.max_in_flight);
  hopts.threads = IoThreads(config);
  // Without event loops (and for TLS): few I/O threads, handlers on a pool of their own.
  hopts.handler_threads = HandlerThreads(config);
  hopts.max_body_bytes = config.max_body_bytes;
  hopts.max_connections = config.max_connections;
  hopts.max_connections_per_address = config.max_connections_per_address;
  hopts.request_timeout = config.request_timeout;
  hopts.tls_cert_file = config.tls_cert;
  hopts.tls_key_file = config.tls_key;
  g->replay_->WaitPastHorizon();
  AIP_ASSIGN_OR_RETURN(g->server_,
                       net::HttpServer::Start(hopts, [self](const net::HttpRequest& r, net::Exchange& e) { self->Serve(r, e); }));
  if (hopts.loop_handlers) {
    LogEvent("info", "handlers", json::Object{{"mode", "event_loop"}, {"loops", hopts.threads}});
  } else {
    LogEvent("info", "handlers",
             json::Object{{"mode", "threads"}, {"io_threads", hopts.threads}, {"handler_threads", hopts.handler_threads}});
  }
  std::string scheme = config.tls_cert.empty() ? "http" : "https";
  std::string host = hopts.address.find(':') != std::string::npos ? "[" + hopts.address + "]" : hopts.address;
  g->url_ = scheme + "://" + host + ":" + std::to_string(g->server_->port()) + topts.path;
  g->resource_ = config.public_url.empty() ? g->url_ : config.public_url;
  // A 401 names every way in that is switched on (one Bearer challenge serves keys and tokens).
  std::vector<std::string> challenges;
  std::string metadata_url;
  Listening where{g->url_, "", g->resource_, &challenges, &metadata_url, &g->protected_resource_metadata_, topts.www_authenticate};
  if (hopts.address == "127.0.0.1" || hopts.address == "::1") {
    where.alias_url = scheme + "://localhost:" + std::to_string(g->server_->port()) + topts.path;
  }
  for (const auto& feature : g->auth_features_) feature->OnListening(where);
  std::string challenge;
  for (const auto& c : challenges) challenge += (challenge.empty() ? "" : ", ") + c;
  g->transport_->set_www_authenticate(challenge);
  if (!metadata_url.empty()) g->transport_->set_resource_metadata(metadata_url);
  g->config_ = std::move(config);
  g->ready_ = true;
  return g;
}

GatewayService::~GatewayService() { Stop(); }

void GatewayService::Stop() {
  // Calls still running after the grace (a slow or streaming upstream) are aborted, so a stop
  // takes at most the grace plus the time to close; the audit log's final checkpoint follows.
  auto abort_calls = [this] {
    if (!router_) return;
    if (auto st = router_->state()) {
      for (const auto& [name, u] : st->upstreams) u->AbortCalls();
    }
  };
  if (server_) server_->Stop(config_.shutdown_grace, abort_calls);
  if (router_) {
    if (auto st = router_->state()) {
      for (const auto& [name, u] : st->upstreams) u->Stop();
    }
  }
  for (const auto& feature : auth_features_) feature->Stop();  // API keys' last uses, say.
  net::busy_poll::SetBudget(std::chrono::microseconds(0));
}

std::shared_ptr<DefinitionGuard> GatewayService::Guard(const GatewayConfig& config) {
  std::filesystem::path file = PinsFileOf(config);
  if (!guard_ || guard_->store().file() != file) {
    guard_ = std::make_shared<DefinitionGuard>(std::make_shared<pins::PinStore>(file), audit_, metrics_, config.trust_scores);
  }
  return guard_;
}

std::shared_ptr<PipelineState> GatewayService::BuildState(const GatewayConfig& config, const PipelineState* previous) {
  auto state = std::make_shared<PipelineState>();
  state->policy = config.policy;
  state->limits = config.limits;
  stores_->AttachLimits(*state->limits);
  if (trust_view_ && config.trust_scores) {
    config.trust_scores->Bind(trust_view_);
    state->trust = config.trust_scores;
  }
  state->unsafe_allow_all = config.unsafe_allow_all;
  state->denial_detail = config.denial_detail;
  for (const auto& uc : config.upstreams) {
    if (previous != nullptr) {
      auto it = previous->upstreams.find(uc.name);
      if (it != previous->upstreams.end() && it->second->config().fingerprint == uc.fingerprint &&
          SameCredential(it->second->config().credential, uc.credential)) {
        state->upstreams[uc.name] = it->second;  // Unchanged: keep its connections.
        continue;
      }
    }
    std::shared_ptr<Upstream> u = std::make_shared<McpUpstream>(
        uc, identity_, metrics_, uc.pin == pins::PinMode::kOff && !uc.require_signed_definitions ? nullptr : Guard(config));
    u->Start();
    state->upstreams[uc.name] = std::move(u);
  }
  std::vector<std::string> upstream_names;
  for (const auto& [name, u] : state->upstreams) upstream_names.push_back(name);
  state->metrics = std::make_shared<const PipelineMetrics>(*metrics_, config.policy->RuleIds(), config.limits->LimitIds(), upstream_names);
  return state;
}

Status GatewayService::Reload() {
  std::lock_guard lock(reload_mu_);
  auto loaded = LoadConfig(config_path_);
  if (!loaded) {
    metrics_->Add("aip_gateway_config_reloads_total", {{"result", "rejected"}});
    return loaded.status();
  }
  WarnIfUnsafe(*loaded);
  if (loaded->listen != config_.listen || loaded->tls_cert != config_.tls_cert || loaded->audit.path != config_.audit.path ||
      loaded->public_url != config_.public_url || loaded->threads != config_.threads || loaded->io_threads != config_.io_threads ||
      loaded->max_in_flight != config_.max_in_flight || RunsOnEventLoops(*loaded) != RunsOnEventLoops(config_)) {
    LogEvent(
        "warning", "restart_needed",
        json::Object{{"message", "listener, TLS, public_url, thread, event loop and audit path changes take effect at the next restart"}});
  }
  auto previous = router_->state();
  auto next = BuildState(*loaded, previous.get());
  for (const auto& [name, u] : next->upstreams) {
    if (!previous->upstreams.count(name) || previous->upstreams.at(name) != u) u->WaitUntilUp(std::chrono::seconds(5));
  }
  // Replaced upstreams finish their calls in flight beside the new ones: room for both.
  server_->GrowHandlerThreads(HandlerThreads(*loaded) + HandlerThreads(config_) - config_.threads);
  router_->SetState(next);
  for (const auto& [name, u] : previous->upstreams) {
    auto it = next->upstreams.find(name);
    if (it == next->upstreams.end() || it->second != u) u->Stop();  // Calls in flight finish on their own connection.
  }
  net::busy_poll::SetBudget(std::chrono::microseconds(loaded->busy_poll_us));
  config_.busy_poll_us = loaded->busy_poll_us;
  config_.policy = loaded->policy;
  config_.limits = loaded->limits;
  config_.upstreams = loaded->upstreams;
  metrics_->Add("aip_gateway_config_reloads_total", {{"result", "applied"}});
  return OkStatus();
}

void GatewayService::Tick() {
  if (audit_) audit_->MaybeCheckpoint();
  stores_->Tick();
  if (trust_view_) {
    // New vouches, revocations and anchors take effect within a second, without a restart.
    // Unreadable (a shared store that is down): the last view stays; logged when it starts and ends.
    Status s = trust_view_->Refresh();
    if (s.ok() != trust_store_up_) {
      trust_store_up_ = s.ok();
      if (s.ok()) {
        LogEvent("info", "store_back", json::Object{{"store", "trust"}});
      } else {
        LogEvent("warning", "store_unavailable",
                 json::Object{{"store", "trust"}, {"error", s.message()}, {"message", "trust scores come from the last view read"}});
      }
    }
  }
  for (const auto& feature : auth_features_) feature->Tick();
}

void GatewayService::Serve(const net::HttpRequest& r, net::Exchange& e) {
  std::string_view path = r.Path();
  if (!ready_) {
    e.Respond(mcp::JsonHttpResponse(503, json::Object{{"error", "starting"}}));
    return;
  }
  if (r.method == "GET" && !protected_resource_metadata_.empty() && path.starts_with("/.well-known/oauth-protected-resource")) {
    std::string_view rest = path.substr(std::string_view("/.well-known/oauth-protected-resource").size());
    if (rest.empty() || rest == net::ParseUrl(resource_).value().target) {
      net::HttpResponse res;
      res.status = 200;
      res.headers.Set("content-type", "application/json");
      res.headers.Set("cache-control", "max-age=300");
      res.body = protected_resource_metadata_;
      e.Respond(std::move(res));
      return;
    }
  }
  if (r.method == "GET" && path == "/metrics") {
    net::HttpResponse res;
    res.status = 200;
    res.headers.Set("content-type", "text/plain; version=0.0.4; charset=utf-8");
    res.body = metrics_->Render();
    e.Respond(std::move(res));
    return;
  }
  if (r.method == "GET" && path == "/healthz") {
    e.Respond(mcp::JsonHttpResponse(200, json::Object{{"status", "ok"}}));
    return;
  }
  if (r.method == "GET" && path == "/readyz") {
    json::Object ups;
    bool ready = true;
    if (auto st = router_->state()) {
      for (const auto& [name, u] : st->upstreams) {
        json::Object o{{"up", u->up()}, {"restarts", u->restarts()}};
        if (!u->up()) o["error"] = u->last_error();
        ready = ready && u->up();
        ups[name] = std::move(o);
      }
    }
    json::Object stores;
    ready = stores_->Ready(stores) && ready;
    json::Object report{{"ready", ready}, {"upstreams", std::move(ups)}, {"stores", std::move(stores)}};
    // A registry that is down leaves the last trust view in force: said here, not a reason to stop serving.
    if (trust_feed_) report["trust_sync"] = trust_feed_->Status();
    e.Respond(mcp::JsonHttpResponse(ready ? 200 : 503, std::move(report)));
    return;
  }
  transport_->Handle(r, e);
}

}  // namespace aip::gateway
