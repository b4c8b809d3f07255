// aip registry serve | registry peer ... | register | list | search | resolve | message | messages |
// trust sync | doctor: the registry service and its clients (docs/registry.md).
#include <sys/stat.h>

#include <chrono>
#include <iostream>

#include "aip/base/encoding.h"
#include "aip/base/file_io.h"
#include "aip/crypto/sodium_init.h"
#include "aip/gateway/config.h"
#include "aip/identity/did_key.h"
#include "aip/net/http.h"
#include "aip/registry/agent_message.h"
#include "aip/registry/registry_client.h"
#include "aip/redis/bucket_store.h"
#include "aip/registry/registry_service.h"
#include "aip/registry/trust_sync.h"
#include "aip/resolvers/did_web_resolver.h"
#include "aip/sqlite/database.h"
#include "aip/trust/trust_store.h"
#include "cli.h"

namespace aip::cli {
namespace {

struct RegistryFlags {
  std::string registry;
  std::string db;
  std::string listen = "127.0.0.1:8700";
  std::string public_url;
  std::string tls_cert, tls_key;
  std::string bot_domain;
  int sync_interval = 10;
  double request_rate = 50, write_rate = 5;
  bool allow_private_peers = false;
  std::vector<std::string> trusted_proxies;
  std::string config;
  std::string rate_limit_store, rate_limit_store_password_env, rate_limit_store_ca_file;
  std::string url;
  std::string name, platform, description, homepage;
  std::string query;
  std::string did;
  std::string text;
  int limit = 50;
  int depth = 5;
  int max_vouches = 10000;
  bool json = false;
  bool keep = false;
  std::string scope;
  std::vector<std::string> anchors;
};

RegistryFlags& Flags() {
  static RegistryFlags f;
  return f;
}

std::shared_ptr<registry::RegistryStore> OpenRegistryStore(const std::string& db) {
  auto conn = Check(sql::OpenDatabase(db.empty() ? registry::DefaultRegistryDatabase() : db), kUsage);
  return std::shared_ptr<registry::RegistryStore>(Check(registry::RegistryStore::Open(std::move(conn))));
}

registry::RegistryClient Client() { return Check(registry::RegistryClient::Connect(RegistryUrl(Flags().registry)), kUsage); }

void AddRegistryOption(CLI::App* c) { c->add_option("--registry", Flags().registry, "Registry base URL (default: $AIP_REGISTRY)"); }

void PrintAgents(const json::Object& page) {
  if (Flags().json) {
    PrintJson(page);
    return;
  }
  for (const auto& a : page.at("agents").as_array()) {
    const auto& o = a.as_object();
    std::cout << o.at("did").as_string().c_str() << "  " << o.at("name").as_string().c_str();
    if (!o.at("platform").as_string().empty()) std::cout << " (" << o.at("platform").as_string().c_str() << ")";
    std::cout << "\n";
  }
  if (page.at("next").is_string()) std::cerr << "aip: more: --after " << page.at("next").as_string().c_str() << "\n";
}

// SyncTrust runs `aip trust sync`: from this store's anchors (and this identity) through the
// registry, every document verified (registry/trust_sync.h).
void SyncTrust(const Context& ctx) {
  auto& f = Flags();
  // With --config, the gateway's own view: its trust store, its [trust] anchors and registry.
  std::vector<std::string> anchors;
  if (!f.config.empty()) {
    auto cfg = gateway::LoadConfig(f.config);
    if (!cfg) Fail(kUsage, cfg.error().message);
    if (!cfg->trust.enabled) Fail(kUsage, f.config + ": no [trust] section");
    if (f.db.empty()) f.db = cfg->trust.db;
    if (f.registry.empty()) f.registry = cfg->trust.registry;
    anchors = cfg->trust.anchors;
  }
  auto client = Client();
  auto store = Check(trust::TrustStore::Open(f.db.empty() ? trust::DefaultTrustDatabasePath().string() : f.db));
  auto stored = Check(store->Anchors());
  anchors.insert(anchors.end(), stored.begin(), stored.end());
  if (auto me = OwnDid(ctx)) anchors.push_back(*me);
  if (anchors.empty()) {
    Fail(kUsage,
         "no anchors to start from: add one with `aip trust anchors add DID`, list them in a gateway's [trust] anchors "
         "(with --config), or create an identity (`aip init`)");
  }
  auto report = Check(registry::SyncTrust(client, *store, anchors, {f.depth, f.max_vouches}, DefaultClock().Now()), kError);
  auto count = [](auto n) { return static_cast<std::int64_t>(n); };
  Report(ctx,
         json::Object{{"registry", client.base_url()},
                      {"anchors", count(anchors.size())},
                      {"added", count(report.added)},
                      {"known", count(report.known)},
                      {"revocations", count(report.revocations)},
                      {"identity_records", count(report.identity_records)},
                      {"rejected", count(report.rejected)}},
         "synced from " + client.base_url() + " (" + std::to_string(anchors.size()) + " anchors): " + std::to_string(report.added) +
             " new vouches, " + std::to_string(report.known) + " known, " + std::to_string(report.revocations) + " new revocations, " +
             std::to_string(report.identity_records) + " new rotations/deactivations, " + std::to_string(report.rejected) + " rejected");
  if (report.rejected > 0) {
    Fail(kVerificationFailed, std::to_string(report.rejected) + " documents from the registry failed verification");
  }
}

// The registry's trust answer is read only in the shape it must have: anything else is a failed
// verification (exit 1), never a crash.
[[noreturn]] void Malformed(std::string_view what) {
  Fail(kVerificationFailed, "the registry's trust answer is malformed: " + std::string(what));
}

const json::Array& ArrayIn(const json::Value& v, std::string_view key) {
  const json::Value* a = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  if (a == nullptr || !a->is_array()) Malformed("no \"" + std::string(key) + "\" array");
  return a->get_array();
}

double NumberIn(const json::Value& v, std::string_view key) {
  const json::Value* n = v.is_object() ? v.get_object().if_contains(key) : nullptr;
  if (n == nullptr || !n->is_number()) Malformed("no \"" + std::string(key) + "\" number");
  return n->to_number<double>();
}

// QueryTrust asks the registry for a score from this agent's anchors and checks the evidence:
// every hop of every path must be a vouch that verifies, issued by that hop's agent for the next.
void QueryTrust(const Context& ctx) {
  auto& f = Flags();
  std::vector<std::string> anchors = f.anchors;
  if (anchors.empty()) {
    auto store = Check(trust::TrustStore::Open(f.db.empty() ? trust::DefaultTrustDatabasePath().string() : f.db));
    anchors = Check(store->Anchors());
    if (auto me = OwnDid(ctx)) anchors.push_back(*me);
  }
  if (anchors.empty()) Fail(kUsage, "no anchors: pass --anchor DID or add some with `aip trust anchors add`");
  auto client = Client();
  json::Value answer = Check(client.Trust(anchors, f.did, f.scope), kError);
  double score = NumberIn(answer, "score");
  int checked = 0;
  for (const auto& p : ArrayIn(answer, "paths")) {
    const auto& dids = ArrayIn(p, "path");
    const auto& vouches = ArrayIn(p, "vouches");
    NumberIn(p, "contribution");
    for (const auto& d : dids) {
      if (!d.is_string()) Malformed("a path holds something other than DIDs");
    }
    if (vouches.size() + 1 != dids.size()) Fail(kVerificationFailed, "the registry sent a path without one vouch per hop");
    for (std::size_t i = 0; i < vouches.size(); ++i) {
      auto v = vouches[i].is_object() ? trust::VerifyVouch(vouches[i].get_object()) : Result<trust::Vouch>(InvalidArgumentError("missing"));
      // A vouch for an earlier key of the next agent counts when its signed rotation chain leads
      // to the key on the path.
      auto same_identity = [&](const std::string& key, std::string_view current) {
        if (key == current) return true;
        auto history = client.History(key);
        return history && history->current == current && !history->deactivation;
      };
      if (!v || v->issuer != dids[i].get_string() || !same_identity(v->subject, dids[i + 1].get_string()) ||
          (!f.scope.empty() && !trust::ScopeCovers(v->scope, f.scope))) {
        Fail(kVerificationFailed, "the registry's path " + std::string(dids[i].get_string()) + " -> " +
                                      std::string(dids[i + 1].get_string()) + " is not backed by a valid vouch");
      }
      ++checked;
    }
  }
  if (f.json) {
    answer.as_object()["verified_vouches"] = checked;
    PrintJson(answer.as_object());
    return;
  }
  std::printf("%.4f\n", score);
  for (const auto& p : ArrayIn(answer, "paths")) {
    std::printf("  %.4f  ", NumberIn(p, "contribution"));
    const auto& dids = ArrayIn(p, "path");
    for (std::size_t i = 0; i < dids.size(); ++i) std::cout << (i ? " -> " : "") << dids[i].get_string().c_str();
    std::cout << "\n";
  }
  std::cout << "  " << checked << " vouches along the paths verified\n";
}

// Doctor checks what makes this agent work, printing one line per check.
void Doctor(const Context& ctx) {
  auto& f = Flags();
  int failures = 0;
  json::Array checks;
  auto report = [&](bool ok, const std::string& what, bool warn_only = false) {
    const char* status = ok ? "ok" : warn_only ? "warn" : "fail";
    if (ctx.json) {
      checks.emplace_back(json::Object{{"status", status}, {"check", what}});
    } else {
      std::cout << (ok ? "ok    " : warn_only ? "warn  " : "FAIL  ") << what << "\n";
    }
    if (!ok && !warn_only) ++failures;
  };
  auto mode_of = [](const std::filesystem::path& p) -> int {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
  };
  auto octal = [](int mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03o", mode);
    return std::string(buf);
  };
  std::string versions = "aip 0.1.0; " + crypto::LibraryVersions() + "; SQLite " + sqlite::LibraryVersion();
  if (!ctx.json) std::cout << versions << "\n";
  const auto& home = ctx.store.home();
  int home_mode = mode_of(home);
  if (home_mode < 0) {
    report(false, "home " + home.string() + " does not exist (run `aip init`)");
  } else {
    report((home_mode & 077) == 0, "home " + home.string() + " mode " + octal(home_mode) + ((home_mode & 077) ? " (should be 700)" : ""));
  }
  std::optional<std::string> did = OwnDid(ctx);
  if (std::getenv("AIP_PRIVATE_KEY") != nullptr) {
    report(true, "identity from AIP_PRIVATE_KEY: " + did.value_or("?"));
  } else if (!ctx.store.HasIdentity()) {
    report(false, "no identity at " + ctx.store.identity_path().string() + " (run `aip init`)");
  } else {
    int mode = mode_of(ctx.store.identity_path());
    report((mode & 077) == 0, "identity file mode " + octal(mode) + ((mode & 077) ? " (must be 600: chmod 600 it)" : ""));
    bool key_ok = did && identity::PublicKeyFromDidKey(*did).ok();
    report(key_ok, key_ok ? "identity " + *did + (ctx.store.IdentityIsEncrypted() ? " (encrypted)" : " (not encrypted)")
                          : "identity file unreadable");
  }
  for (const char* db : {"trust.db", "gateway.db", "registry.db", "messages.db"}) {
    auto path = home / db;
    int mode = mode_of(path);
    if (mode >= 0) report((mode & 077) == 0, std::string(db) + " mode " + octal(mode));
  }
  const char* env = std::getenv("AIP_REGISTRY");
  std::string url = !f.registry.empty() ? f.registry : env != nullptr ? env : "";
  if (url.empty()) {
    report(true, "no registry configured (--registry or AIP_REGISTRY): registry and clock checks skipped", true);
  } else {
    auto client = registry::RegistryClient::Connect(url);
    if (!client) {
      report(false, "registry URL " + url + ": " + client.error().message);
    } else {
      auto sent = std::chrono::steady_clock::now();
      auto health = client->Health();
      auto rtt = std::chrono::steady_clock::now() - sent;
      if (!health) {
        report(false, "registry " + url + " unreachable: " + health.error().message);
      } else {
        report(true, "registry " + url + " reachable (" +
                         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(rtt).count()) + " ms)");
        if (auto their = ParseTime(json::OptionalString(*health, "time").value_or(""))) {
          auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(DefaultClock().Now() - *their).count();
          bool ok = std::abs(skew) < 30000;
          report(ok,
                 "clock skew against the registry: " + std::to_string(skew) + " ms" +
                     (ok ? "" : " (signed requests allow 60 s; fix this machine's clock)"),
                 std::abs(skew) < 60000);
        }
        if (did) {
          auto agent = client->Agent(*did);
          if (agent) {
            bool genuine = agent->contains("document") && agent->at("document").is_object() &&
                           registry::VerifyRegistration(agent->at("document").as_object(), DefaultClock().Now()).ok();
            report(genuine, "registered as \"" + std::string(json::OptionalString(*agent, "name").value_or("?")) + "\"" +
                                (genuine ? " (record verified)" : " (the record does not verify!)"));
          } else {
            report(false, "not registered at " + url + " (run `aip register`)", true);
          }
        }
      }
    }
  }
  if (ctx.json) PrintJson(json::Object{{"versions", versions}, {"failures", failures}, {"checks", std::move(checks)}});
  if (failures > 0) Fail(kVerificationFailed, std::to_string(failures) + " check(s) failed");
}

}  // namespace

std::string RegistryUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("AIP_REGISTRY"); env != nullptr && *env != '\0') return env;
  Fail(kUsage, "no registry: pass --registry URL or set AIP_REGISTRY");
}

void AddRegistryCommands(CLI::App& app, Context& ctx) {
  auto& f = Flags();
  auto* group = app.add_subcommand("registry", "Run a registry, and manage its federation peers");
  group->require_subcommand(1);
  auto* serve = group->add_subcommand("serve", "Serve the registry API and the Trust Observatory web UI");
  serve->add_option("--listen", f.listen, "HOST:PORT (default 127.0.0.1:8700)");
  serve->add_option("--db", f.db, "sqlite:PATH (default sqlite:$AIP_HOME/registry.db) or postgresql://...");
  serve->add_option("--public-url", f.public_url,
                    "The URL clients use (signed requests must name it); default http(s)://HOST:PORT as listened on");
  serve->add_option("--sync-interval", f.sync_interval, "Seconds between pulls from each peer (default 10)");
  serve->add_option("--request-rate", f.request_rate, "Requests per second per client address (burst 4x; default 50)");
  serve->add_option("--write-rate", f.write_rate, "Signed writes per second per DID (burst 10x; default 5)");
  serve->add_flag("--allow-private-peers", f.allow_private_peers, "Allow peers on loopback/private addresses (tests, LANs)");
  serve->add_option("--trusted-proxy", f.trusted_proxies,
                    "A reverse proxy (IP or CIDR; repeatable) whose X-Forwarded-For / Forwarded names the client");
  serve->add_option("--rate-limit-store", f.rate_limit_store,
                    "redis://HOST[:PORT][/DB] (rediss:// for TLS): rate limits shared by every instance naming it (docs/scaling.md)");
  serve->add_option("--rate-limit-store-password-env", f.rate_limit_store_password_env,
                    "Environment variable holding that Redis's password");
  serve->add_option("--rate-limit-store-ca-file", f.rate_limit_store_ca_file,
                    "With rediss://: the CA certificates (PEM) to trust for that Redis (default: the system's)");
  serve->add_option("--tls-cert", f.tls_cert, "Serve HTTPS with this certificate (PEM)");
  serve->add_option("--tls-key", f.tls_key, "... and this key (PEM)");
  serve->add_option("--bot-domain", f.bot_domain,
                    "Host registered agents' Web Bot Auth key directories at NAME.DOMAIN (a wildcard name and certificate pointing "
                    "here; docs/web-bot-auth.md)");
  serve->callback([] {
    auto& fl = Flags();
    auto listen = Check(net::ParseHostPort(fl.listen), kUsage);
    if (fl.public_url.empty() && (listen.host == "0.0.0.0" || listen.host == "::")) {
      Fail(kUsage, "listening on all interfaces: pass --public-url, the URL clients use (signed requests name it)");
    }
    registry::RegistryOptions options;
    options.public_url = fl.public_url;
    while (!options.public_url.empty() && options.public_url.back() == '/') options.public_url.pop_back();
    if (!options.public_url.empty()) Check(net::ParseUrl(options.public_url), kUsage);
    options.peers.interval = std::chrono::seconds(std::max(1, fl.sync_interval));
    options.peers.allow_private = fl.allow_private_peers;
    if (fl.request_rate <= 0 || fl.write_rate <= 0) Fail(kUsage, "rates must be positive");
    options.requests_per_second_per_address = fl.request_rate;
    options.burst_per_address = 4 * fl.request_rate;
    options.writes_per_second_per_did = fl.write_rate;
    options.write_burst_per_did = 10 * fl.write_rate;
    options.trusted_proxies = Check(net::TrustedProxies::Parse(fl.trusted_proxies), kUsage);
    options.bot_domain = fl.bot_domain;
    Check(registry::CheckBotDomain(fl.bot_domain, options.public_url.empty() ? "http://" + fl.listen : options.public_url), kUsage);
    if (!fl.rate_limit_store.empty()) {
      auto redis_options = Check(redis::ParseRedisUrl(fl.rate_limit_store), kUsage);
      redis_options.tls_ca_file = fl.rate_limit_store_ca_file;
      if (!fl.rate_limit_store_password_env.empty()) {
        const char* password = std::getenv(fl.rate_limit_store_password_env.c_str());
        if (password == nullptr || *password == '\0') {
          Fail(kUsage, "environment variable " + fl.rate_limit_store_password_env + " is not set");
        }
        redis_options.password = crypto::SecretBytes(AsBytes(std::string_view(password)));
      }
      auto client = Check(redis::RedisClient::Connect(std::move(redis_options)));
      options.shared_limits = std::make_shared<redis::RedisBucketStore>(std::move(client), "aip-registry");
    }
    registry::ServeOptions so;
    so.address = listen.host;
    so.port = listen.port;
    so.tls_cert_file = fl.tls_cert;
    so.tls_key_file = fl.tls_key;
    Check(registry::ServeRegistry(OpenRegistryStore(fl.db), options, so));
  });

  auto* peer = group->add_subcommand("peer", "Federation peers this registry pulls records from");
  peer->require_subcommand(1);
  auto* peer_add = peer->add_subcommand("add", "Pull records from the registry at URL (each one verified)");
  peer_add->add_option("URL", f.url, "The peer registry's base URL")->required();
  peer_add->add_option("--db", f.db, "This registry's database (as for serve)");
  peer_add->callback([&ctx] {
    Check(net::ParseUrl(Flags().url), kUsage);
    bool added = Check(OpenRegistryStore(Flags().db)->AddPeer(Flags().url));
    Report(ctx, json::Object{{"peer", Flags().url}, {"added", added}}, (added ? "added peer " : "already a peer: ") + Flags().url);
  });
  auto* peer_remove = peer->add_subcommand("remove", "Stop pulling from URL");
  peer_remove->add_option("URL", f.url, "The peer registry's base URL")->required();
  peer_remove->add_option("--db", f.db, "This registry's database");
  peer_remove->callback([&ctx] {
    if (!Check(OpenRegistryStore(Flags().db)->RemovePeer(Flags().url))) Fail(kUsage, "not a peer: " + Flags().url);
    Report(ctx, json::Object{{"peer", Flags().url}, {"removed", true}}, "removed peer " + Flags().url);
  });
  auto* peer_list = peer->add_subcommand("list", "List peers with their cursors and counts");
  peer_list->add_option("--db", f.db, "This registry's database");
  peer_list->callback([&ctx] {
    auto peers = Check(OpenRegistryStore(Flags().db)->Peers());
    if (ctx.json) {
      json::Array out;
      for (const auto& p : peers) {
        out.emplace_back(json::Object{{"url", p.url},
                                      {"cursor", p.cursor},
                                      {"accepted", static_cast<std::int64_t>(p.accepted)},
                                      {"rejected", static_cast<std::int64_t>(p.rejected)},
                                      {"conflicts", static_cast<std::int64_t>(p.conflicts)},
                                      {"last_error", p.last_error}});
      }
      PrintJson(out);
      return;
    }
    for (const auto& p : peers) {
      std::cout << p.url << "  cursor " << p.cursor << "  accepted " << p.accepted << "  rejected " << p.rejected << "  conflicts "
                << p.conflicts << (p.last_error.empty() ? "" : "  last error: " + p.last_error) << "\n";
    }
  });

  auto* reg = app.add_subcommand("register", "Publish this agent's signed registration to a registry");
  AddRegistryOption(reg);
  reg->add_option("--name", f.name, "Display name (default: the identity's name)");
  reg->add_option("--platform", f.platform, "Platform (default: the identity's platform)");
  reg->add_option("--description", f.description, "What this agent does");
  reg->add_option("--url", f.homepage, "A web page about this agent");
  reg->callback([&ctx] {
    auto& fl = Flags();
    auto me = LoadIdentity(ctx).identity;
    registry::Profile p{fl.name.empty() ? me.name() : fl.name, fl.platform.empty() ? me.platform() : fl.platform, fl.description,
                        fl.homepage};
    if (p.name.empty()) p.name = "agent";
    auto answer = Check(Client().Register(me, p), kError);
    std::string outcome(json::OptionalString(answer, "outcome").value_or(""));
    Report(ctx, json::Object{{"outcome", outcome}, {"did", me.did()}, {"did_aip", me.did_aip()}},
           outcome + " " + me.did() + " (" + me.did_aip() + ")");
  });

  auto* list = app.add_subcommand("list", "List the agents registered at a registry");
  AddRegistryOption(list);
  list->add_option("--limit", f.limit, "At most this many (default 50)");
  list->add_option("--after", f.did, "Continue after this DID (the cursor printed by the previous page)");
  list->add_flag("--json", f.json, "Print JSON");
  list->callback([] { PrintAgents(Check(Client().Directory("", Flags().did, Flags().limit))); });

  auto* search = app.add_subcommand("search", "Search a registry by name, platform or DID");
  AddRegistryOption(search);
  search->add_option("QUERY", f.query, "Words of a name or platform, or a DID")->required();
  search->add_option("--limit", f.limit, "At most this many (default 50)");
  search->add_flag("--json", f.json, "Print JSON");
  search->callback([] { PrintAgents(Check(Client().Directory(Flags().query, "", Flags().limit))); });

  auto* resolve = app.add_subcommand("resolve", "Resolve a DID: did:key offline, did:aip via a registry, did:web over HTTPS");
  AddRegistryOption(resolve);
  resolve->add_option("DID", f.did, "The DID to resolve")->required();
  resolve->callback([] {  // Prints JSON always; --json is accepted for symmetry.
    auto& fl = Flags();
    Result<identity::Resolution> res = InvalidArgumentError("unsupported DID method");
    if (fl.did.starts_with("did:key:")) {
      res = identity::DidKeyResolver().Resolve(fl.did);
    } else if (fl.did.starts_with("did:web:")) {
      res = resolvers::DidWebResolver().Resolve(fl.did);
    } else if (fl.did.starts_with("did:")) {
      res = Client().Resolve(fl.did);  // Checked: the document must carry the key the DID names.
    }
    if (!res) {
      Fail(res.error().code == ErrorCode::kInvalidArgument   ? kUsage
           : res.error().code == ErrorCode::kUnauthenticated ? kVerificationFailed
                                                             : kError,
           "cannot resolve " + fl.did + ": " + res.error().message);
    }
    PrintJson(identity::ResolutionResult(*res));
  });

  auto* message = app.add_subcommand("message", "Send an end-to-end encrypted, signed message to an agent");
  AddRegistryOption(message);
  message->add_option("DID", f.did, "The recipient (a did:key registered there)")->required();
  message->add_option("TEXT", f.text, "The message (at most 8 KiB)")->required();
  message->callback([&ctx] {
    auto me = LoadIdentity(ctx).identity;
    auto id = Check(Client().SendMessage(me, Flags().did, Flags().text), kError);
    Report(ctx, json::Object{{"sent", id}, {"to", Flags().did}}, "sent " + id);
  });

  auto* messages = app.add_subcommand("messages", "Read this agent's inbox: each message opened and its signature checked");
  AddRegistryOption(messages);
  messages->add_flag("--keep", f.keep, "Leave the messages at the registry (default: delete once read)");
  messages->add_flag("--json", f.json, "Print JSON");
  messages->callback([&ctx] {
    auto& fl = Flags();
    auto me = LoadIdentity(ctx).identity;
    auto client = Client();
    auto seen = Check(registry::SeenMessages::Open((ctx.store.home() / "messages.db").string()));
    json::Array out;
    int bad = 0;
    for (const auto& m : Check(client.Inbox(me))) {
      auto sealed = Base64Decode(m.sealed);
      auto opened = sealed ? registry::OpenMessage(me, *sealed) : Result<registry::OpenedMessage>(sealed.error());
      json::Object line{{"id", m.id}, {"received", FormatTime(m.received)}};
      if (!opened) {
        ++bad;
        line["error"] = opened.error().message;
      } else if (!Check(seen->Remember(*opened, DefaultClock().Now()))) {
        ++bad;
        line["error"] = "replayed: message " + opened->id + " was delivered before";
      } else {
        line["from"] = opened->from;
        line["created"] = FormatTime(opened->created);
        line["text"] = opened->text;
      }
      if (fl.json) {
        out.push_back(line);
      } else if (line.contains("error")) {
        std::cout << "REJECTED " << m.id << ": " << line["error"].as_string().c_str() << "\n";
      } else {
        std::cout << FormatTime(opened->created) << "  " << opened->from << "\n  " << opened->text << "\n";
      }
      if (!fl.keep) Check(client.DeleteMessage(me, m.id));
    }
    if (fl.json) PrintJson(json::Object{{"messages", std::move(out)}});
    if (bad > 0) Fail(kVerificationFailed, std::to_string(bad) + " message(s) failed verification");
  });

  if (auto* trust_group = app.get_subcommand("trust")) {
    auto* sync = trust_group->add_subcommand("sync", "Pull from a registry the vouches reachable from this agent's anchors");
    AddRegistryOption(sync);
    sync->add_option("--db", f.db, "Trust store: a SQLite path (default $AIP_HOME/trust.db) or a postgresql:// URL");
    sync->add_option("--depth", f.depth, "Hops from the anchors (default 5)");
    sync->add_option("--max", f.max_vouches, "Stop after this many vouches (default 10000)");
    sync->add_option("--config", f.config, "A gateway's configuration: sync its trust store from its [trust] registry and anchors");
    sync->callback([&ctx] { SyncTrust(ctx); });
    auto* query =
        trust_group->add_subcommand("query", "Ask a registry for an agent's score from your anchors, checking every vouch it cites");
    AddRegistryOption(query);
    query->add_option("DID", f.did, "The agent to score")->required();
    query->add_option("--anchor", f.anchors, "Start from this DID (repeatable; default: your anchors and yourself)");
    query->add_option("--scope", f.scope, "Count only vouches covering this scope");
    query->add_option("--db", f.db, "Trust store holding your anchors (default $AIP_HOME/trust.db)");
    query->add_flag("--json", f.json, "Print JSON (with verified_vouches)");
    query->callback([&ctx] { QueryTrust(ctx); });
  }

  auto* doctor = app.add_subcommand("doctor", "Check identity files and permissions, clock, registry reachability, versions");
  AddRegistryOption(doctor);
  doctor->callback([&ctx] { Doctor(ctx); });
}

}  // namespace aip::cli
