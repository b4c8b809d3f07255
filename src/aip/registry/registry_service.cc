#include "aip/registry/registry_service.h"

#include <csignal>
#include <thread>

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/log.h"
#include "aip/httpsig/web_bot_auth.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_document.h"
#include "aip/identity/did_key.h"
#include "aip/identity/resolver.h"
#include "aip/net/form.h"
#include "aip/registry/agent_message.h"
#include "aip/registry/feeds.h"
#include "aip/registry/shared_replay_cache.h"
#include "aip/registry/web_assets.h"
#include "aip/trust/trust_view.h"

namespace aip::registry {
namespace {

constexpr std::size_t kMaxAnchors = 16;

net::HttpResponse JsonText(int status, std::string body) {
  net::HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", "application/json");
  r.headers.Set("x-content-type-options", "nosniff");
  r.headers.Set("cache-control", "no-store");
  r.body = std::move(body) + "\n";
  return r;
}

net::HttpResponse Json(int status, const json::Value& body) { return JsonText(status, json::Serialize(body)); }

// Stored documents are served as the text stored — verified, then serialized by this registry on
// the way in — and never parsed again per request. WithRaw renders `fields` plus members whose
// values are such JSON text; RawArray joins JSON texts into an array.
using RawMembers = std::initializer_list<std::pair<std::string_view, std::string_view>>;

std::string WithRaw(const json::Object& fields, RawMembers raw) {
  std::string out = json::Serialize(fields);
  out.pop_back();  // The closing brace.
  for (const auto& [key, value] : raw) {
    if (out.size() > 1) out += ',';
    out += json::Serialize(json::Value(key));
    out += ':';
    out += value.empty() ? "null" : value;
  }
  return out + "}";
}

std::string RawArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += item.empty() ? "null" : item;
  }
  return out + "]";
}

net::HttpResponse Problem(int status, std::string_view message) { return Json(status, json::Object{{"error", message}}); }

// StatusFor maps library errors to HTTP once, here at the edge.
int StatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 413;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

net::HttpResponse FromError(const Error& e) {
  int status = StatusFor(e.code);
  if (status == 500) {
    LogEvent("error", "registry_internal_error", {{"error", e.message}});
    return Problem(500, "internal error");
  }
  return Problem(status, e.message);
}

net::HttpResponse TooMany(std::chrono::milliseconds wait) {
  auto r = Problem(429, "rate limit exceeded");
  r.headers.Set("retry-after", std::to_string(std::max<std::int64_t>(1, (wait.count() + 999) / 1000)));
  return r;
}

std::map<std::string, std::string> QueryOf(const net::HttpRequest& request, Status& status) {
  std::string_view target = request.target;
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  auto parsed = net::ParseForm(target.substr(q + 1));
  if (!parsed) {
    status = InvalidArgumentError("query: " + parsed.error().message);
    return {};
  }
  return *parsed;
}

std::string Param(const std::map<std::string, std::string>& q, const std::string& name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

int LimitOf(const std::map<std::string, std::string>& q, int max, int fallback) {
  std::string v = Param(q, "limit");
  if (v.empty()) return fallback;
  int n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > 1000000) return fallback;
    n = n * 10 + (c - '0');
  }
  return std::clamp(n, 1, max);
}

std::int64_t AfterOf(const std::map<std::string, std::string>& q) {
  std::string v = Param(q, "after");
  std::int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > (INT64_MAX / 10 - 10)) return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

json::Object AgentFields(const StoredAgent& a) {
  return json::Object{{"did", a.did},
                      {"alias", a.alias},
                      {"name", a.name},
                      {"platform", a.platform},
                      {"description", a.description},
                      {"url", a.url},
                      {"updated", FormatTimeMillis(a.updated)}};
}

std::string VouchArray(const std::vector<StoredVouchDoc>& vouches) {
  std::vector<std::string> items;
  items.reserve(vouches.size());
  for (const auto& v : vouches) {
    items.push_back(
        WithRaw(json::Object{{"id", v.id}, {"issuer", v.issuer}, {"subject", v.subject}, {"scope", v.scope}, {"revoked", v.revoked}},
                {{"document", v.document}}));
  }
  return RawArray(items);
}

// Instances sharing a PostgreSQL database share their nonces too; a lone SQLite registry keeps
// them in memory (bounded, failing closed when full).
std::shared_ptr<authn::ReplayCache> ReplayCacheFor(const std::shared_ptr<RegistryStore>& store) {
  if (store->dialect() == sql::Dialect::kPostgres) return std::make_shared<SharedReplayCache>(store);
  return std::make_shared<authn::InMemoryReplayCache>();
}

}  // namespace

RegistryService::RegistryService(std::shared_ptr<RegistryStore> store, RegistryOptions options, const Clock* clock)
    : store_(store),
      options_(std::move(options)),
      clock_(clock),
      verifier_(options_.public_url, ReplayCacheFor(store), clock),
      index_(store),
      federation_(store, options_.peers, clock),
      hosted_(store, options_.bot_domain, clock),
      per_address_(options_.requests_per_second_per_address, options_.burst_per_address),
      per_did_(options_.writes_per_second_per_did, options_.write_burst_per_did) {}

void RegistryService::Tick() {
  federation_.PullDue();
  if (store_->dialect() == sql::Dialect::kPostgres && ++ticks_ % 60 == 0) {
    if (auto s = store_->ForgetNonces(clock_->Now()); !s.ok()) LogEvent("warn", "nonce_purge_failed", {{"error", s.error().message}});
  }
  if (auto s = index_.CatchUp(); !s.ok()) LogEvent("warn", "trust_index_catch_up_failed", {{"error", s.error().message}});
}

void RegistryService::Handle(const net::HttpRequest& request, net::Exchange& exchange) {
  std::string client = options_.trusted_proxies.ClientAddress(request.remote_address, request.headers);
  if (auto refused = Limit(per_address_, "address", client, options_.requests_per_second_per_address, options_.burst_per_address)) {
    exchange.Respond(std::move(*refused));
    return;
  }
  if (request.body.size() > options_.max_body_bytes) {
    exchange.Respond(Problem(413, "body too large"));
    return;
  }
  exchange.Respond(Route(request));
}

std::optional<std::string> RegistryService::Signer(const net::HttpRequest& request, net::HttpResponse& refusal) {
  auto did = verifier_.Verify(request);
  if (!did) {
    refusal = FromError(did.error());
    if (refusal.status == 401) refusal.headers.Set("www-authenticate", "Signature tag=\"aip-registry\"");
    return std::nullopt;
  }
  if (auto refused = Limit(per_did_, "did", *did, options_.writes_per_second_per_did, options_.write_burst_per_did)) {
    refusal = std::move(*refused);
    return std::nullopt;
  }
  // A rotated key or an ended identity can do nothing here any more.
  if (auto active = store_->CheckActive(*did, "signer"); !active.ok()) {
    refusal = active.error().code == ErrorCode::kFailedPrecondition ? Problem(403, active.error().message) : FromError(active.error());
    return std::nullopt;
  }
  return *did;
}

std::optional<net::HttpResponse> RegistryService::Limit(KeyedRateLimiter& local, std::string_view id, const std::string& key, double rate,
                                                        double burst) {
  if (!options_.shared_limits) {
    if (auto wait = local.Take(key)) return TooMany(*wait);
    return std::nullopt;
  }
  auto limited = options_.shared_limits->TakeAll({{std::string(id), "registry " + std::string(id) + " " + key, rate, burst}});
  bool up = limited.ok();
  if (up != limits_store_up_.exchange(up)) {
    LogEvent(up ? "info" : "warn", up ? "store_back" : "store_unavailable",
             {{"store", "rate_limits"}, {"message", up ? "" : "requests are refused (503) until it is back"}});
  }
  if (!limited) {
    auto r = Problem(503, "the rate-limit store is unavailable; try again");
    r.headers.Set("retry-after", "1");
    return r;
  }
  if (*limited) return TooMany((*limited)->retry_after);
  return std::nullopt;
}

net::HttpResponse RegistryService::Route(const net::HttpRequest& request) {
  auto decoded = net::PercentDecode(request.Path());
  if (!decoded) return Problem(400, "malformed path");
  std::string_view path = *decoded;
  const std::string& m = request.method;
  bool get = m == "GET";
  // A hosted agent origin (<name>.<bot domain>) serves its key directory and nothing else.
  if (auto host = request.headers.Get("host")) {
    if (auto hosted = hosted_.Serve(*host)) {
      if (path != httpsig::kDirectoryPath) return Problem(404, "a hosted agent origin serves only its key directory");
      if (!get) return Problem(405, "GET only");
      return *hosted ? std::move(**hosted) : FromError(hosted->error());
    }
  }
  // The time lets `aip doctor` measure the client's clock skew.
  if (path == "/v1/health" && get) return Json(200, json::Object{{"status", "ok"}, {"time", FormatTimeMillis(clock_->Now())}});
  if (path == "/v1/stats" && get) return GetStats();
  if (path == "/v1/agents") {
    if (m == "POST") return PostRecord(request, "agent");
    if (get) return GetDirectory(request);
  }
  if (path.starts_with("/v1/agents/") && get) return GetAgent(path.substr(11));
  if (path.starts_with("/v1/dids/") && get) return GetDid(path.substr(9));
  if (path == "/v1/vouches") {
    if (m == "POST") return PostRecord(request, "vouch");
    if (get) return GetVouches(request);
  }
  if (path == "/v1/revocations" && m == "POST") return PostRecord(request, "revocation");
  if (path == "/v1/rotations" && m == "POST") return PostRecord(request, "rotation");
  if (path == "/v1/deactivations" && m == "POST") return PostRecord(request, "deactivation");
  if (path.starts_with("/v1/identities/") && get) return GetIdentity(path.substr(15));
  if (path == "/v1/trust" && get) return GetTrust(request);
  if (path == "/v1/graph" && get) return GetGraph(request);
  if (path == "/v1/records" && get) return GetRecords(request);
  if (path == "/v1/events" && get) return GetEvents(request, false);
  if (path == "/v1/events.atom" && get) return GetEvents(request, true);
  if (path.starts_with("/v1/badges/") && path.ends_with(".svg") && get) {
    return GetBadge(path.substr(11, path.size() - 11 - 4));
  }
  if (path == "/v1/messages") {
    if (m == "POST") return PostMessage(request);
    if (get) return GetMessages(request);
  }
  if (path.starts_with("/v1/messages/") && m == "DELETE") return DeleteMessage(request, path.substr(13));
  if (path == "/v1/bot-directories" && get) return BotDirectories(request, "");
  if (path.starts_with("/v1/bot-directories/") && (m == "PUT" || m == "DELETE")) return BotDirectories(request, path.substr(20));
  if (get) {
    if (auto asset = WebAsset(path)) return *asset;
  }
  if (path.starts_with("/v1/")) return Problem(m == "GET" || m == "POST" || m == "DELETE" ? 404 : 405, "no such route");
  return Problem(404, "not found");
}

net::HttpResponse RegistryService::PostRecord(const net::HttpRequest& request, std::string_view kind) {
  net::HttpResponse refusal;
  auto signer = Signer(request, refusal);
  if (!signer) return refusal;
  auto doc = json::ParseJsonObject(request.body);
  if (!doc) return FromError(doc.error());
  // Anyone whose key is in force may relay a vouch, a revocation, a rotation or a deactivation
  // (each is self-authenticating); a registration only its own agent.
  if (kind == "agent" && json::OptionalString(*doc, "id") != std::optional<std::string_view>(*signer)) {
    return Problem(403, "a registration must be sent by the agent it registers");
  }

  auto applied = ApplyRecord(*store_, kind, *doc, clock_->Now());
  if (!applied) return FromError(applied.error());
  if (kind != "agent") index_.MarkWritten();
  const char* outcome = applied->outcome == PutOutcome::kInserted  ? "created"
                        : applied->outcome == PutOutcome::kUpdated ? "updated"
                                                                   : "unchanged";
  if (kind == "agent") LogEvent("info", "agent_registered", {{"did", applied->key}, {"outcome", outcome}});
  if (kind == "rotation" || kind == "deactivation")
    LogEvent("info", "identity_" + std::string(kind), {{"did", applied->key}, {"outcome", outcome}});
  return Json(applied->outcome == PutOutcome::kInserted ? 201 : 200,
              json::Object{{"kind", kind}, {"key", applied->key}, {"outcome", outcome}});
}

net::HttpResponse RegistryService::BotDirectories(const net::HttpRequest& request, std::string_view name) {
  if (!hosted_.enabled()) return Problem(404, "this registry hosts no key directories (it runs without --bot-domain)");
  if (request.method == "GET") return Json(200, json::Object{{"domain", hosted_.domain()}});
  net::HttpResponse refusal;
  auto signer = Signer(request, refusal);
  if (!signer) return refusal;
  if (request.method == "DELETE") {
    if (Status s = hosted_.Delete(*signer, name); !s.ok()) return FromError(s.error());
    LogEvent("info", "bot_directory_deleted", {{"did", *signer}, {"name", std::string(name)}});
    return Json(200, json::Object{{"name", name}, {"outcome", "deleted"}});
  }
  auto put = hosted_.Put(*signer, name, request.body);
  if (!put) return FromError(put.error());
  LogEvent("info", "bot_directory_hosted", {{"did", *signer}, {"name", put->name}, {"outcome", put->created ? "created" : "updated"}});
  return Json(put->created ? 201 : 200, json::Object{{"name", put->name},
                                                     {"origin", put->origin},
                                                     {"url", put->origin + std::string(httpsig::kDirectoryPath)},
                                                     {"expires", FormatTimeMillis(put->expires)}});
}

net::HttpResponse RegistryService::GetDirectory(const net::HttpRequest& request) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  int limit = LimitOf(q, options_.max_page, 50);
  std::string query = Param(q, "q");
  if (query.size() > 200 || Param(q, "after").size() > 256) return Problem(400, "query or cursor too long");
  auto agents = store_->Directory(query, Param(q, "after"), limit);
  if (!agents) return FromError(agents.error());
  std::vector<std::string> list;
  for (const auto& a : *agents) list.push_back(WithRaw(AgentFields(a), {{"document", a.document}}));
  json::Value next = nullptr;
  if (static_cast<int>(agents->size()) == limit) next = json::Value(agents->back().did);
  return JsonText(200, WithRaw(json::Object{{"next", next}}, {{"agents", RawArray(list)}}));
}

net::HttpResponse RegistryService::GetAgent(std::string_view did) {
  if (!identity::IsWellFormedDid(did)) return Problem(400, "not a DID");
  auto agent = store_->GetAgent(did);
  if (!agent) return FromError(agent.error());
  if (!*agent) return Problem(404, "no such agent");
  auto given = store_->VouchesBy((*agent)->did, 500);
  auto received = store_->VouchesFor((*agent)->did, 500);
  auto history = store_->History((*agent)->did);
  if (!given) return FromError(given.error());
  if (!received) return FromError(received.error());
  if (!history) return FromError(history.error());
  return JsonText(200, WithRaw(AgentFields(**agent), {{"document", (*agent)->document},
                                                      {"vouches_given", VouchArray(*given)},
                                                      {"vouches_received", VouchArray(*received)},
                                                      {"identity", IdentityJson(*history)}}));
}

std::string RegistryService::IdentityJson(const IdentityHistory& h) {
  json::Object fields{{"current", h.current}, {"status", !h.deactivation.empty() ? "deactivated" : "active"}};
  return WithRaw(fields, {{"rotations", RawArray(h.rotations)}, {"deactivation", h.deactivation}});
}

net::HttpResponse RegistryService::GetIdentity(std::string_view did) {
  if (!identity::PublicKeyFromDidKey(did)) return Problem(400, "not a did:key");
  auto history = store_->History(did);
  if (!history) return FromError(history.error());
  return JsonText(200, IdentityJson(*history));
}

net::HttpResponse RegistryService::GetDid(std::string_view did) {
  auto not_found = [&](std::string_view error, int status) {
    return Json(status, json::Object{{"@context", "https://w3id.org/did-resolution/v1"},
                                     {"didDocument", nullptr},
                                     {"didResolutionMetadata", json::Object{{"error", error}}},
                                     {"didDocumentMetadata", json::Object{}}});
  };
  if (!identity::IsWellFormedDid(did)) return not_found("invalidDid", 400);
  Result<identity::Resolution> resolution = NotFoundError("");
  if (did.starts_with("did:key:")) {
    resolution = identity::DidKeyResolver().Resolve(did);
  } else if (did.starts_with("did:aip:")) {
    if (!identity::IsWellFormedDidAip(did)) return not_found("invalidDid", 400);
    auto agent = store_->GetAgent(did);
    if (!agent) return FromError(agent.error());
    if (!*agent) return not_found("notFound", 404);
    // The registration's did:key holds the key; the resolver checks it hashes to this did:aip.
    identity::StaticKeyResolver known;
    auto key = identity::PublicKeyFromDidKey((*agent)->did);
    if (!key) return FromError(key.error());
    if (auto added = known.Add(did, *key); !added.ok()) return FromError(added.error());
    resolution = known.Resolve(did);
  } else {
    return not_found("methodNotSupported", 501);
  }
  if (!resolution) {
    if (resolution.error().code == ErrorCode::kInvalidArgument) return not_found("invalidDid", 400);
    return FromError(resolution.error());
  }
  json::Object result = identity::ResolutionResult(*resolution);
  // The key's standing: DID Core's `deactivated`, and the key that replaced it (the resolver
  // checks either claim against the signed records of GET /v1/identities).
  if (!resolution->parsed.methods().empty()) {
    auto history = store_->History(identity::DidKeyFromPublicKey(resolution->parsed.methods()[0].key));
    if (!history) return FromError(history.error());
    json::Object& metadata = result["didDocumentMetadata"].as_object();
    if (!history->deactivation.empty()) metadata["deactivated"] = true;
    if (history->current != identity::DidKeyFromPublicKey(resolution->parsed.methods()[0].key))
      metadata["aipCurrentKey"] = history->current;
  }
  return Json(200, result);
}

net::HttpResponse RegistryService::GetVouches(const net::HttpRequest& request) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  std::string issuer = Param(q, "issuer"), subject = Param(q, "subject");
  int limit = LimitOf(q, 1000, 500);
  if (issuer.empty() == subject.empty()) return Problem(400, "give exactly one of issuer= or subject=");
  if (!identity::IsWellFormedDid(issuer.empty() ? subject : issuer)) return Problem(400, "not a DID");
  auto vouches = issuer.empty() ? store_->VouchesFor(subject, limit) : store_->VouchesBy(issuer, limit);
  if (!vouches) return FromError(vouches.error());
  if (issuer.empty()) return JsonText(200, WithRaw(json::Object{}, {{"vouches", VouchArray(*vouches)}}));
  auto revocations = store_->RevocationsBy(issuer, limit);
  if (!revocations) return FromError(revocations.error());
  return JsonText(200, WithRaw(json::Object{}, {{"vouches", VouchArray(*vouches)}, {"revocations", RawArray(*revocations)}}));
}

net::HttpResponse RegistryService::GetTrust(const net::HttpRequest& request) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  std::string subject = Param(q, "subject"), scope = Param(q, "scope"), anchors_text = Param(q, "anchors");
  if (!identity::IsWellFormedDid(subject)) return Problem(400, "subject= must be a DID");
  std::vector<std::string> anchors;
  for (std::size_t start = 0; start <= anchors_text.size();) {
    std::size_t comma = anchors_text.find(',', start);
    std::string a = anchors_text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!a.empty()) {
      if (!identity::IsWellFormedDid(a)) return Problem(400, "anchors= must be DIDs separated by commas");
      anchors.push_back(a);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (anchors.empty() || anchors.size() > kMaxAnchors) return Problem(400, "give 1 to 16 anchors= (the caller's own anchors)");
  if (scope.size() > 200) return Problem(400, "scope too long");
  // This instance's writes count at once; other instances' within a second.
  if (auto s = index_.Fresh(std::chrono::seconds(1)); !s.ok()) return FromError(s.error());
  auto answer = index_.Query(anchors, subject, scope, clock_->Now());
  if (!answer) return FromError(answer.error());
  // The engine's own rendering (as `aip trust score --json`), each path extended with the signed
  // vouch of each hop.
  json::Object body = trust::JsonOf(answer->result);
  std::vector<std::string> paths;
  const json::Array& computed = body["paths"].as_array();
  for (std::size_t i = 0; i < computed.size() && i < answer->paths.size(); ++i) {
    paths.push_back(WithRaw(computed[i].as_object(), {{"vouches", RawArray(answer->paths[i].vouches)}}));
  }
  body.erase("paths");
  body["subject"] = subject;
  json::Array anchor_list;
  for (const auto& a : anchors) anchor_list.push_back(json::Value(a));
  body["anchors"] = std::move(anchor_list);
  return JsonText(200, WithRaw(body, {{"paths", RawArray(paths)}}));
}

net::HttpResponse RegistryService::GetGraph(const net::HttpRequest& request) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  std::string center = Param(q, "center");
  if (!center.empty() && !identity::IsWellFormedDid(center)) return Problem(400, "center= must be a DID");
  int limit = LimitOf(q, 2000, 500);
  if (auto s = index_.Fresh(std::chrono::seconds(1)); !s.ok()) return FromError(s.error());
  json::Array edges;
  for (const auto& e : index_.Neighbourhood(center, static_cast<std::size_t>(limit))) {
    edges.push_back(json::Object{{"issuer", e.issuer}, {"subject", e.subject}, {"scope", e.scope}, {"weight", e.weight}});
  }
  return Json(200, json::Object{{"edges", std::move(edges)}});
}

net::HttpResponse RegistryService::GetRecords(const net::HttpRequest& request) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  auto entries = store_->Log(AfterOf(q), LimitOf(q, 1000, 500));
  if (!entries) return FromError(entries.error());
  std::vector<std::string> records;
  records.reserve(entries->size());
  for (const auto& e : *entries) {
    records.push_back(WithRaw(json::Object{{"seq", e.seq}, {"kind", e.kind}, {"key", e.key}}, {{"document", e.document}}));
  }
  std::int64_t next = entries->empty() ? AfterOf(q) : entries->back().seq;
  return JsonText(200, WithRaw(json::Object{{"next", next}}, {{"records", RawArray(records)}}));
}

net::HttpResponse RegistryService::GetEvents(const net::HttpRequest& request, bool atom) {
  Status bad;
  auto q = QueryOf(request, bad);
  if (!bad.ok()) return FromError(bad.error());
  int limit = LimitOf(q, 500, 50);
  auto last_seq = store_->LastSeq();
  if (!last_seq) return FromError(last_seq.error());
  // Default: the newest `limit` events; with after=: those after a cursor.
  std::int64_t after = q.contains("after") ? AfterOf(q) : std::max<std::int64_t>(0, *last_seq - limit);
  auto entries = store_->Log(after, limit);
  if (!entries) return FromError(entries.error());
  if (atom) {
    std::vector<LogEntry> newest(entries->rbegin(), entries->rend());
    net::HttpResponse r;
    r.headers.Set("content-type", "application/atom+xml; charset=utf-8");
    r.headers.Set("x-content-type-options", "nosniff");
    r.body = AtomFeed(newest, options_.public_url, clock_->Now());
    return r;
  }
  json::Array events;
  for (const auto& e : *entries) {
    events.push_back(json::Object{{"seq", e.seq}, {"kind", e.kind}, {"key", e.key}, {"received", FormatTime(e.received)}});
  }
  return Json(200, json::Object{{"events", std::move(events)}, {"last_seq", *last_seq}});
}

net::HttpResponse RegistryService::GetBadge(std::string_view did) {
  net::HttpResponse r;
  r.headers.Set("content-type", "image/svg+xml");
  r.headers.Set("x-content-type-options", "nosniff");
  r.headers.Set("cache-control", "max-age=300");
  r.headers.Set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
  if (!identity::IsWellFormedDid(did)) {
    r.status = 400;
    r.body = Badge("aip", "invalid DID", "#9f9f9f");
    return r;
  }
  auto agent = store_->GetAgent(did);
  if (!agent) return FromError(agent.error());
  if (!*agent) {
    r.status = 404;
    r.body = Badge("aip", "not registered", "#9f9f9f");
    return r;
  }
  auto active = store_->ActiveVouchesFor((*agent)->did);
  if (!active) return FromError(active.error());
  r.body = Badge("aip", "registered | " + std::to_string(*active) + (*active == 1 ? " vouch" : " vouches"), "#4c1");
  return r;
}

net::HttpResponse RegistryService::GetStats() {
  auto counts = store_->Counts();
  if (!counts) return FromError(counts.error());
  auto peers = store_->Peers();
  if (!peers) return FromError(peers.error());
  json::Array peer_list;
  for (const auto& p : *peers) {
    peer_list.push_back(json::Object{{"url", p.url},
                                     {"cursor", p.cursor},
                                     {"accepted", p.accepted},
                                     {"rejected", p.rejected},
                                     {"conflicts", p.conflicts},
                                     {"last_sync", p.last_sync ? json::Value(FormatTime(*p.last_sync)) : json::Value(nullptr)},
                                     {"last_error", p.last_error}});
  }
  return Json(200, json::Object{{"agents", counts->agents},
                                {"vouches", counts->vouches},
                                {"revocations", counts->revocations},
                                {"last_seq", counts->last_seq},
                                {"graph_nodes", index_.node_count()},
                                {"graph_edges", index_.edge_count()},
                                {"backend", store_->dialect() == sql::Dialect::kSqlite ? "sqlite" : "postgresql"},
                                {"peers", std::move(peer_list)}});
}

net::HttpResponse RegistryService::PostMessage(const net::HttpRequest& request) {
  net::HttpResponse refusal;
  auto signer = Signer(request, refusal);
  if (!signer) return refusal;
  auto doc = json::ParseJsonObject(request.body);
  if (!doc) return FromError(doc.error());
  json::FieldReader r(*doc);
  std::string to, sealed;
  Status read = r.OnlyFields({"to", "sealed"});
  if (read.ok()) read = r.String("to", to, json::Need::kRequired, 128);
  if (read.ok()) read = r.String("sealed", sealed, json::Need::kRequired, 2 * kMaxSealedBytes);
  if (!read.ok()) return Problem(400, "a message is {\"to\": did:key, \"sealed\": base64}: " + read.message());
  if (!identity::PublicKeyFromDidKey(to)) return Problem(400, "to must be a did:key");
  auto bytes = Base64Decode(sealed);
  if (!bytes) return Problem(400, "sealed must be base64");
  if (bytes->size() > kMaxSealedBytes) return Problem(413, "message larger than 16 KiB");
  auto recipient = store_->GetAgent(to);
  if (!recipient) return FromError(recipient.error());
  if (!*recipient) return Problem(404, "the recipient is not registered here");
  auto id = store_->PutMessage(to, *signer, sealed, clock_->Now());
  if (!id) {
    if (id.error().code == ErrorCode::kResourceExhausted) return Problem(507, id.error().message);
    return FromError(id.error());
  }
  return Json(202, json::Object{{"id", *id}});
}

net::HttpResponse RegistryService::GetMessages(const net::HttpRequest& request) {
  // Reading an inbox is signed too: only its owner may, and a captured read cannot be replayed.
  net::HttpResponse refusal;
  auto reader = Signer(request, refusal);
  if (!reader) return refusal;
  auto messages = store_->Inbox(*reader, 100);
  if (!messages) return FromError(messages.error());
  json::Array list;
  for (const auto& m : *messages) {
    list.push_back(json::Object{{"id", m.id}, {"sealed", m.sealed}, {"received", FormatTime(m.received)}});
  }
  return Json(200, json::Object{{"messages", std::move(list)}});
}

net::HttpResponse RegistryService::DeleteMessage(const net::HttpRequest& request, std::string_view id) {
  // Ids are "msg_" and 32 hex digits; anything else names no message (and goes no further).
  if (id.size() != 36 || !id.starts_with("msg_") || id.substr(4).find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Problem(400, "not a message id");
  }
  net::HttpResponse refusal;
  auto reader = Signer(request, refusal);
  if (!reader) return refusal;
  auto deleted = store_->DeleteMessage(*reader, id);
  if (!deleted) return FromError(deleted.error());
  if (!*deleted) return Problem(404, "no such message in this inbox");
  net::HttpResponse r;
  r.status = 204;
  return r;
}

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }
}  // namespace

Status ServeRegistry(std::shared_ptr<RegistryStore> store, RegistryOptions options, const ServeOptions& serve) {
  // The service needs the public URL, which may name the port the server binds: requests that
  // arrive before it exists get 503.
  std::atomic<RegistryService*> ready{nullptr};
  net::HttpServerOptions http;
  http.address = serve.address;
  http.port = serve.port;
  http.threads = serve.threads;
  http.max_body_bytes = options.max_body_bytes;
  http.tls_cert_file = serve.tls_cert_file;
  http.tls_key_file = serve.tls_key_file;
  AIP_ASSIGN_OR_RETURN(auto server, net::HttpServer::Start(http, [&ready](const net::HttpRequest& r, net::Exchange& e) {
                         if (RegistryService* s = ready.load()) {
                           s->Handle(r, e);
                         } else {
                           e.Respond(Problem(503, "starting"));
                         }
                       }));
  if (options.public_url.empty()) {
    std::string host = serve.address.find(':') != std::string::npos ? "[" + serve.address + "]" : serve.address;
    options.public_url = (serve.tls_cert_file.empty() ? "http://" : "https://") + host + ":" + std::to_string(server->port());
  }
  AIP_RETURN_IF_ERROR(CheckBotDomain(options.bot_domain, options.public_url));
  auto service = std::make_shared<RegistryService>(store, options);
  service->Tick();
  ready = service.get();
  LogEvent("info", "registry_listening",
           {{"address", serve.address},
            {"port", server->port()},
            {"public_url", options.public_url},
            {"backend", store->dialect() == sql::Dialect::kSqlite ? "sqlite" : "postgresql"}});
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto next_tick = std::chrono::steady_clock::now();
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() >= next_tick) {
      service->Tick();
      next_tick = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
  }
  server->Stop();
  LogEvent("info", "registry_stopped");
  return OkStatus();
}

}  // namespace aip::registry
