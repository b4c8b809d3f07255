#include "aip/gateway/mcp_upstream.h"

#include <cstdlib>

#include "aip/gateway/log.h"
#include "aip/net/event_loop.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/request_proof.h"

namespace aip::gateway {
namespace {

// The request being forwarded: the HTTP header hook and the signing hook of a client read it
// (each client call runs synchronously in its request). Per request, not per thread: on an
// event loop other requests run on the same thread while this one waits for its upstream.
net::RequestLocal<const ForwardOptions> current_forward;

json::Object CallerMeta(const authn::Principal& p) {
  json::Object o{{"id", p.id}, {"kind", p.kind == authn::Principal::Kind::kAgent ? "agent" : "other"}};
  if (!p.did.empty()) o["did"] = p.did;
  if (!p.subject.empty()) o["subject"] = p.subject;
  return o;
}

}  // namespace

McpUpstream::McpUpstream(UpstreamConfig config, std::shared_ptr<const identity::Identity> gateway_identity,
                         std::shared_ptr<Metrics> metrics, std::shared_ptr<DefinitionGuard> guard)
    : config_(std::move(config)), identity_(std::move(gateway_identity)), metrics_(std::move(metrics)), guard_(std::move(guard)) {}

McpUpstream::~McpUpstream() { Stop(); }

void McpUpstream::Start() {
  supervisor_ = std::thread([this] { Supervise(); });
}

void McpUpstream::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !supervisor_.joinable()) return;
    stopping_ = true;
  }
  state_cv_.notify_all();
  pool_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  std::lock_guard lock(mu_);
  idle_.clear();  // Closes connections and shuts spawned servers down.
  up_ = false;
}

void McpUpstream::AbortCalls() {
  std::lock_guard lock(mu_);
  stopping_ = true;  // No call starts after this.
  for (mcp::McpClient* c : busy_) c->Abort();
  pool_cv_.notify_all();
}

bool McpUpstream::WaitUntilUp(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return state_cv_.wait_for(lock, timeout, [&] { return up_.load() || stopping_; }) && up_.load();
}

std::string McpUpstream::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::shared_ptr<const Catalog> McpUpstream::catalog() const {
  std::lock_guard lock(mu_);
  return catalog_;
}

Result<std::unique_ptr<mcp::McpClient>> McpUpstream::NewClient() {
  mcp::ClientOptions options;
  options.client_info = mcp::Implementation{"aip-gateway", "0.1.0", ""};
  options.timeout = config_.timeout;
  if (config_.sign_requests && identity_) {
    mcpsig::SignedClientConfig sc;
    sc.signer = identity_;
    sc.audience = config_.url.empty() ? "stdio:" + config_.name : config_.url;
    options = mcpsig::SignedClientOptions(sc, options);
    auto sign = options.before_send;
    options.before_send = [sign](json::Object& request) -> Status {
      if (const ForwardOptions* f = current_forward.get(); f != nullptr && f->caller != nullptr) {
        json::Object& params = request["params"].as_object();
        json::Object meta;
        if (const json::Value* m = params.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
        meta[kCallerMetaKey] = CallerMeta(*f->caller);
        params["_meta"] = std::move(meta);
      }
      return sign(request);
    };
  } else {
    // Results may still carry the upstream's signature; it is checked when present.
    options = mcpsig::SignedClientOptions(mcpsig::SignedClientConfig{}, options);
  }
  std::unique_ptr<mcp::ClientTransport> transport;
  if (!config_.url.empty()) {
    auto credential = config_.credential;
    mcp::HttpRequestSigner hook = [credential](std::string_view, std::string_view, net::Headers& headers, std::string_view) -> Status {
      if (credential) {
        auto secret = credential->secret->RevealSecret();
        headers.Set(credential->header, credential->prefix + std::string(reinterpret_cast<const char*>(secret.data()), secret.size()));
      }
      if (const ForwardOptions* f = current_forward.get(); f != nullptr && !f->traceparent.empty()) {
        headers.Set("traceparent", f->traceparent);
      }
      return OkStatus();
    };
    net::HttpClientOptions http;
    http.timeout = config_.timeout;
    http.max_stream = std::max(config_.max_stream, config_.timeout);
    http.ca_file = config_.ca_file;
    AIP_ASSIGN_OR_RETURN(transport, mcp::HttpClientTransport(config_.url, hook, std::move(http)));
  } else {
    // A spawned server gets a minimal environment: never the gateway's own (which may hold
    // other upstreams' credentials), only PATH, HOME, LANG and its own credential.
    mcp::StdioClientOptions so;
    so.on_stderr = [name = config_.name](std::string_view line) {
      LogEvent("info", "upstream_stderr", json::Object{{"upstream", name}, {"line", line}});
    };
    std::vector<std::string> env;
    for (const char* name : {"PATH", "HOME", "LANG", "TMPDIR"}) {
      if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
    }
    if (config_.credential) {
      auto secret = config_.credential->secret->RevealSecret();
      env.push_back(config_.credential->env_var + "=" + std::string(reinterpret_cast<const char*>(secret.data()), secret.size()));
    }
    so.env = std::move(env);
    AIP_ASSIGN_OR_RETURN(transport, mcp::StdioClientTransport(config_.command, so));
  }
  auto client = std::make_unique<mcp::McpClient>(std::move(transport), std::move(options));
  AIP_RETURN_IF_ERROR(client->Connect());
  return client;
}

Status McpUpstream::Refresh(mcp::McpClient& client) {
  auto catalog = std::make_shared<Catalog>();
  catalog->capabilities = client.server_capabilities();
  auto has = [&](std::string_view cap) { return catalog->capabilities.contains(cap); };
  // Signed definitions: each page's proof is checked as the page arrives (it covers the page).
  ListEvidence evidence;
  auto observe = [&](const std::string& kind) -> mcp::McpClient::PageObserver {
    if (!guard_ || !DefinitionGuard::NeedsEvidence(config_)) return nullptr;
    return [&evidence, kind](const json::Object& page) { evidence.Page(kind, page); };
  };
  if (has("tools")) {
    AIP_ASSIGN_OR_RETURN(catalog->tools, client.ListTools(observe("tools")));
  }
  if (has("resources")) {
    AIP_ASSIGN_OR_RETURN(catalog->resources, client.ListResources());
    auto templates = client.Request("resources/templates/list", json::Object{});
    if (templates) {
      if (const json::Value* t = templates->if_contains("resourceTemplates"); t != nullptr && t->is_array()) {
        catalog->resource_templates = t->get_array();
        if (auto check = observe("resourceTemplates")) check(*templates);
      }
    }
  }
  if (has("prompts")) {
    AIP_ASSIGN_OR_RETURN(catalog->prompts, client.ListPrompts(observe("prompts")));
  }
  // Every listing fetched is screened, not only the first: a server that changes what it lists,
  // or lists differently from one fetch to the next, is caught on the fetch where it differs.
  if (guard_) guard_->Screen(config_, *catalog, evidence);
  catalog->Index();
  std::lock_guard lock(mu_);
  catalog_ = std::move(catalog);
  return OkStatus();
}

void McpUpstream::Supervise() {
  auto backoff = config_.restart_min;
  while (true) {
    {
      std::unique_lock lock(mu_);
      // While it is up, re-read its catalog every refresh interval (tools an upstream adds or
      // removes show up without a restart).
      while (!stopping_ && up_.load()) {
        if (state_cv_.wait_for(lock, config_.refresh, [&] { return stopping_ || !up_.load() || refresh_now_; })) {
          if (stopping_ || !up_.load()) break;
        }
        bool asked = refresh_now_;
        refresh_now_ = false;
        if (idle_.empty()) {
          // Every connection is busy: try again next interval — or, when the upstream asked, as
          // soon as one is free (the call that carried its list_changed holds one).
          if (asked) {
            refresh_now_ = true;
            state_cv_.wait_for(lock, std::chrono::milliseconds(50));
          }
          continue;
        }
        auto c = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        Status refreshed = Refresh(*c);
        Release(std::move(c), refreshed.ok());
        lock.lock();
      }
      if (stopping_) return;
    }
    auto client = NewClient();
    Status status = client ? Refresh(**client) : client.status();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (status.ok()) {
      idle_.push_back(std::move(*client));
      open_clients_ = 1;
      if (ever_up_) {
        ++restarts_;
        metrics_->Add("aip_gateway_upstream_restarts_total", {{"upstream", config_.name}});
      }
      ever_up_ = true;
      up_ = true;
      last_error_.clear();
      backoff = config_.restart_min;
      LogEvent("info", "upstream_up", json::Object{{"upstream", config_.name}, {"restarts", restarts_.load()}});
      state_cv_.notify_all();
      pool_cv_.notify_all();
      continue;
    }
    last_error_ = status.message();
    LogEvent("warning", "upstream_unavailable",
             json::Object{{"upstream", config_.name}, {"error", status.message()}, {"retry_in_ms", backoff.count()}});
    state_cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(config_.restart_max, backoff * 2);
  }
}

Result<std::unique_ptr<mcp::McpClient>> McpUpstream::Acquire() {
  // HTTP: connections; spawned servers: processes (each serves one request at a time).
  int limit = config_.pool;
  std::unique_lock lock(mu_);
  auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  while (true) {
    if (stopping_ || !up_.load()) {
      return UnavailableError("upstream " + config_.name + " is unavailable" + (last_error_.empty() ? "" : ": " + last_error_));
    }
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    if (open_clients_ < limit) {
      ++open_clients_;
      lock.unlock();
      auto c = NewClient();
      if (!c) {
        lock.lock();
        --open_clients_;
        return UnavailableError("upstream " + config_.name + ": " + c.error().message);
      }
      return c;
    }
    if (pool_waiters_ >= config_.queue) {
      return ResourceExhaustedError("upstream " + config_.name + " is busy (" + std::to_string(limit) + " calls running, " +
                                    std::to_string(pool_waiters_) + " waiting)");
    }
    ++pool_waiters_;
    // Woken by a release (or, on an event loop, looking again shortly); the loop above re-checks.
    bool timed_out =
        !net::AwaitUntil(lock, pool_cv_, deadline, [&] { return stopping_ || !up_.load() || !idle_.empty() || open_clients_ < limit; });
    --pool_waiters_;
    if (timed_out) return UnavailableError("upstream " + config_.name + " is busy");
  }
}

void McpUpstream::Discard(std::unique_ptr<mcp::McpClient> client, bool reusable) {
  if (reusable) return Release(std::move(client), true);
  // Only this connection ended (a cancelled call): the upstream itself is fine.
  {
    std::lock_guard lock(mu_);
    busy_.erase(client.get());
    --open_clients_;
  }
  client.reset();
  pool_cv_.notify_all();
}

void McpUpstream::Release(std::unique_ptr<mcp::McpClient> client, bool healthy) {
  std::unique_lock lock(mu_);
  busy_.erase(client.get());
  if (healthy && up_.load() && !stopping_) {
    idle_.push_back(std::move(client));
    bool waiting = pool_waiters_ > 0;
    lock.unlock();
    if (waiting) pool_cv_.notify_one();  // Nobody waiting: no wakeup, no context switch.
    return;
  }
  --open_clients_;
  std::vector<std::unique_ptr<mcp::McpClient>> dropped;
  bool failed = !healthy && up_.load();
  if (failed) {
    // The connection (or the spawned server) failed: drop every connection and let the
    // supervisor reconnect or respawn.
    up_ = false;
    open_clients_ -= static_cast<int>(idle_.size());
    dropped = std::move(idle_);
    idle_.clear();
  }
  lock.unlock();
  dropped.clear();
  client.reset();  // Closes outside the lock (a spawned server may take a moment to stop).
  if (failed) state_cv_.notify_all();
  pool_cv_.notify_all();
}

void McpUpstream::RefreshSoon() {
  std::lock_guard lock(mu_);
  refresh_now_ = true;
  state_cv_.notify_all();
}

Result<json::Object> McpUpstream::Forward(const std::string& method, json::Object params, const ForwardOptions& options) {
  auto acquired = Acquire();
  if (!acquired) return acquired.error();
  auto client = std::move(*acquired);
  {
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      Release(std::move(client), false);
      return UnavailableError("upstream " + config_.name + " is stopping");
    }
    busy_.insert(client.get());
  }
  // The caller leaving gives the call up: the upstream is told (stdio) or its stream closed (HTTP).
  std::atomic<bool> reusable{true};
  std::uint64_t watch = 0;
  if (options.cancellation) {
    mcp::McpClient* raw = client.get();
    watch = options.cancellation->OnCancel([raw, &reusable] { reusable = raw->Cancel(); });
  }
  current_forward.set(&options);
  // A list_changed the upstream sends while answering makes the supervisor re-read (and, when
  // pinned, re-screen) its catalog now, not at the next refresh; the caller still gets it.
  mcp::NotificationHandler on_notification = [this, &options](const json::Object& note) {
    auto m = json::OptionalString(note, "method");
    if (m && (*m == "notifications/tools/list_changed" || *m == "notifications/prompts/list_changed")) RefreshSoon();
    if (options.on_notification) options.on_notification(note);
  };
  auto response = client->Exchange(method, std::move(params), on_notification);
  current_forward.set(nullptr);
  if (options.cancellation) options.cancellation->Remove(watch);  // Waits for a running callback.
  bool cancelled = options.cancellation && options.cancellation->cancelled() && !response.ok();
  if (cancelled) {
    metrics_->Add("aip_gateway_upstream_cancelled_total", {{"upstream", config_.name}});
    Discard(std::move(client), reusable);
    return UnavailableError("upstream " + config_.name + ": cancelled, the caller left");
  }
  // A timeout leaves the connection usable (the request was cancelled); any other transport
  // failure means the upstream is gone.
  bool healthy = response.ok() || response.error().message.find("timeout") != std::string::npos ||
                 response.error().code == ErrorCode::kUnauthenticated;
  Release(std::move(client), healthy);
  if (!response) return UnavailableError("upstream " + config_.name + " failed: " + response.error().message);
  if (const json::Value* r = response->if_contains("result"); r != nullptr && r->is_object()) {
    // The upstream's own signature covers our request, not the caller's: it was checked above
    // (after_receive) and is not passed on.
    json::Object& result = (*response)["result"].as_object();
    if (json::Value* meta = result.if_contains("_meta"); meta != nullptr && meta->is_object()) {
      meta->as_object().erase(mcpsig::kProofKey);
    }
  }
  return response;
}

}  // namespace aip::gateway
