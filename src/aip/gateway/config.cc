#include "aip/gateway/config.h"

#include "aip/base/ascii.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include "aip/base/clock.h"
#include "aip/net/http.h"
#include "aip/base/file_io.h"
#include "aip/base/toml.h"
#include "aip/gateway/trust_condition.h"
#include "aip/identity/key_store.h"
#include "aip/redis/client.h"
#include "aip/trust/vouch.h"

namespace aip::gateway {
namespace {

using Reader = json::FieldReader;

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// UrlHasPassword: "scheme://user:password@host…" — a secret that would sit in a config file.
bool UrlHasPassword(std::string_view url) {
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return false;
  std::string_view authority = url.substr(start + 3, url.find_first_of("/?#", start + 3) - (start + 3));
  std::size_t at = authority.rfind('@');
  return at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
}

// ReadSecret reads a secret from exactly one of an environment variable or a file that only its
// owner may read; `source` says which, for logs (never the secret).
Result<std::string> ReadSecret(const Reader& r, const std::string& base_dir, const std::string& from_env, const std::string& from_file,
                               std::string* source, const char* env_field = "from_env", const char* file_field = "from_file") {
  if (from_env.empty() == from_file.empty()) {
    return r.FailHere(std::string("needs exactly one of ") + env_field + " or " + file_field);
  }
  std::string secret;
  if (!from_env.empty()) {
    const char* v = std::getenv(from_env.c_str());
    if (v == nullptr || *v == '\0') return r.Fail(env_field, "environment variable " + from_env + " is not set");
    secret = v;
    *source = "env " + from_env;
  } else {
    std::string path = Resolve(base_dir, from_file);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return r.Fail(file_field, "cannot read " + path);
    if ((st.st_mode & 077) != 0) return r.Fail(file_field, path + " is readable by others; chmod 600 it");
    auto text = ReadFile(path, 64 * 1024);
    if (!text) return r.Fail(file_field, text.error().message);
    secret = std::move(*text);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    *source = "file " + path;
  }
  return secret;
}

// ReadKeySecret reads a secret every instance shares (an env var or a private file, named by the
// two fields), at least 32 bytes; the text read is wiped once copied.
Result<crypto::SecretBytes> ReadKeySecret(const Reader& r, const std::string& base_dir, const char* env_field, const char* file_field) {
  std::string from_env, from_file, source;
  AIP_RETURN_IF_ERROR(r.String(env_field, from_env));
  AIP_RETURN_IF_ERROR(r.String(file_field, from_file));
  AIP_ASSIGN_OR_RETURN(std::string secret, ReadSecret(r, base_dir, from_env, from_file, &source, env_field, file_field));
  if (secret.size() < 32) return r.Fail(from_env.empty() ? file_field : env_field, "needs at least 32 bytes");
  crypto::SecretBytes out(AsBytes(secret));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(secret.data()), secret.size()));
  return out;
}

Result<OutboundCredential> ReadCredential(const Reader& r, const std::string& base_dir, bool stdio) {
  AIP_RETURN_IF_ERROR(r.OnlyFields({"type", "header", "env_var", "from_env", "from_file"}));
  OutboundCredential c;
  std::string type = "header", from_env, from_file;
  AIP_RETURN_IF_ERROR(r.String("type", type));
  AIP_RETURN_IF_ERROR(r.String("header", c.header));
  AIP_RETURN_IF_ERROR(r.String("env_var", c.env_var));
  AIP_RETURN_IF_ERROR(r.String("from_env", from_env));
  AIP_RETURN_IF_ERROR(r.String("from_file", from_file));
  if (type == "bearer") {
    c.header = "Authorization";
    c.prefix = "Bearer ";
  } else if (type == "header") {
    if (!net::IsHttpToken(c.header)) return r.Fail("header", "must be an HTTP header name such as \"X-Api-Key\"");
    std::string lower = AsciiLower(c.header);
    if (lower == "host" || lower == "content-length" || lower == "transfer-encoding" || lower == "content-type") {
      return r.Fail("header", "cannot carry a credential");
    }
  } else if (type == "env") {
    if (c.env_var.empty() || !std::all_of(c.env_var.begin(), c.env_var.end(),
                                          [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; })) {
      return r.Fail("env_var", "must be an environment variable name");
    }
  } else {
    return r.Fail("type", "must be \"header\", \"bearer\" or \"env\"");
  }
  if ((type == "env") != stdio) {
    return r.Fail("type",
                  stdio ? "a spawned (command) upstream takes type = \"env\"" : "type = \"env\" is only for spawned (command) upstreams");
  }
  AIP_ASSIGN_OR_RETURN(std::string secret, ReadSecret(r, base_dir, from_env, from_file, &c.source));
  if (secret.empty()) return r.FailHere("the credential is empty");
  for (char ch : secret) {
    // No CR/LF or other controls: a secret must not be able to add headers.
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return r.FailHere("the credential contains control characters");
  }
  c.secret = std::make_shared<crypto::SecretBytes>(ByteSpan(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()));
  std::fill(secret.begin(), secret.end(), '\0');
  return c;
}

// ReadRedisStore reads a [replay] or [rate_limits] section: where the shared store is and how
// to reach it.
Status ReadRedisStore(const Reader& r, const std::string& base_dir, RedisStoreConfig& out) {
  AIP_RETURN_IF_ERROR(
      r.OnlyFields({"store", "namespace", "password_env", "password_file", "timeout", "pool", "on_store_error", "tls_ca_file"}));
  std::string on_error = "refuse";
  AIP_RETURN_IF_ERROR(r.String("on_store_error", on_error));
  if (on_error != "refuse" && on_error != "local") return r.Fail("on_store_error", "must be \"refuse\" or \"local\"");
  out.on_store_error = on_error == "local" ? RedisStoreConfig::OnError::kLocal : RedisStoreConfig::OnError::kRefuse;
  AIP_RETURN_IF_ERROR(r.String("store", out.store));
  if (out.store.empty()) return r.Fail("store", "is required: redis://HOST[:PORT][/DB]");
  if (auto parsed = redis::ParseRedisUrl(out.store); !parsed) return r.Fail("store", parsed.error().message);
  AIP_RETURN_IF_ERROR(r.String("tls_ca_file", out.tls_ca_file));
  if (!out.tls_ca_file.empty()) {
    if (!out.store.starts_with("rediss://")) return r.Fail("tls_ca_file", "is for a rediss:// (TLS) store");
    out.tls_ca_file = Resolve(base_dir, out.tls_ca_file);
  }
  AIP_RETURN_IF_ERROR(r.String("namespace", out.ns));
  AIP_RETURN_IF_ERROR(r.Duration("timeout", out.timeout));
  AIP_RETURN_IF_ERROR(r.IntAs("pool", out.pool, 1, 256));
  std::string from_env, from_file, source;
  AIP_RETURN_IF_ERROR(r.String("password_env", from_env));
  AIP_RETURN_IF_ERROR(r.String("password_file", from_file));
  if (!from_env.empty() || !from_file.empty()) {
    AIP_ASSIGN_OR_RETURN(std::string password, ReadSecret(r, base_dir, from_env, from_file, &source, "password_env", "password_file"));
    out.password = crypto::SecretBytes(AsBytes(password));
    std::fill(password.begin(), password.end(), '\0');
  }
  return OkStatus();
}

Status ReadUpstream(const Reader& r, const std::string& base_dir, UpstreamConfig& u) {
  AIP_RETURN_IF_ERROR(
      r.OnlyFields({"name", "url", "command", "timeout", "credential", "sign_requests", "pool", "restart_min", "restart_max", "namespaced",
                    "ca_file", "refresh", "max_stream", "queue", "pin", "require_signed_definitions", "signer", "require_trust"}));
  AIP_RETURN_IF_ERROR(r.Bool("require_signed_definitions", u.require_signed_definitions));
  AIP_RETURN_IF_ERROR(r.String("signer", u.signer));
  if (!u.signer.empty() && !u.signer.starts_with("did:key:"))
    return r.Fail("signer", "must be a did:key (definitions are signed by did:key)");
  if (!u.signer.empty()) u.require_signed_definitions = true;
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> trust, r.Nested("require_trust"));
  if (trust) {
    AIP_RETURN_IF_ERROR(trust->OnlyFields({"min", "scope"}));
    UpstreamConfig::ServerTrust t;
    AIP_RETURN_IF_ERROR(trust->Number("min", t.min, 0, 1, json::Need::kRequired));
    t.scope = "mcp-server";
    AIP_RETURN_IF_ERROR(trust->String("scope", t.scope, json::Need::kOptional, 256));
    if (!trust::ValidScope(t.scope)) return trust->Fail("scope", "not a trust scope (docs/trust.md)");
    u.require_trust = t;
    u.require_signed_definitions = true;  // The server is known by the DID that signs what it lists.
  }
  std::string pin = "off";
  AIP_RETURN_IF_ERROR(r.String("pin", pin));
  auto mode = pins::ParsePinMode(pin);
  if (!mode) return r.Fail("pin", mode.error().message);
  u.pin = *mode;
  AIP_RETURN_IF_ERROR(r.Duration("refresh", u.refresh));
  AIP_RETURN_IF_ERROR(r.Duration("max_stream", u.max_stream));
  AIP_RETURN_IF_ERROR(r.String("ca_file", u.ca_file));
  u.ca_file = Resolve(base_dir, u.ca_file);
  AIP_RETURN_IF_ERROR(r.Bool("namespaced", u.namespaced));
  AIP_RETURN_IF_ERROR(r.String("name", u.name));
  if (u.name.empty() || !std::all_of(u.name.begin(), u.name.end(),
                                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; })) {
    return r.Fail("name", "must be letters, digits, '_' or '-' (it becomes the tool namespace)");
  }
  AIP_RETURN_IF_ERROR(r.String("url", u.url));
  AIP_RETURN_IF_ERROR(r.Strings("command", u.command));
  if (u.url.empty() == u.command.empty()) return r.FailHere("needs exactly one of url or command");
  if (!u.url.empty() && !u.url.starts_with("http://") && !u.url.starts_with("https://")) {
    return r.Fail("url", "must be an http:// or https:// URL");
  }
  if (!u.command.empty() && u.command[0].find('/') != std::string::npos) u.command[0] = Resolve(base_dir, u.command[0]);
  AIP_RETURN_IF_ERROR(r.Duration("timeout", u.timeout));
  AIP_RETURN_IF_ERROR(r.Duration("restart_min", u.restart_min));
  AIP_RETURN_IF_ERROR(r.Duration("restart_max", u.restart_max));
  AIP_RETURN_IF_ERROR(r.Bool("sign_requests", u.sign_requests));
  // A spawned server is one process unless asked: copies would not share its state.
  if (!u.command.empty()) u.pool = 1;
  AIP_RETURN_IF_ERROR(r.IntAs("pool", u.pool, 1, 256));
  AIP_RETURN_IF_ERROR(r.IntAs("queue", u.queue, 0, 1024));
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> credential, r.Nested("credential"));
  if (credential) {
    AIP_ASSIGN_OR_RETURN(u.credential, ReadCredential(*credential, base_dir, !u.command.empty()));
  }
  // The fingerprint covers the secret's source, not its value; reload re-reads the value.
  u.fingerprint = json::Serialize(json::Value(r.object()));
  return OkStatus();
}

Status ReadWebBotAuth(const Reader& r, const std::string& base_dir, WebBotAuthConfig& w) {
  using std::chrono::milliseconds;
  AIP_RETURN_IF_ERROR(
      r.OnlyFields({"enabled", "origins", "max_lifetime", "require_nonce", "directory_min_ttl", "directory_max_ttl", "directory_refresh",
                    "directory_max_lifetime", "directory_timeout", "ca_file", "allow_private_directories"}));
  w.enabled = true;
  AIP_RETURN_IF_ERROR(r.Bool("enabled", w.enabled));
  AIP_RETURN_IF_ERROR(r.Strings("origins", w.origins, json::Need::kOptional, 256));
  for (const auto& o : w.origins) {
    if (!o.starts_with("https://")) return r.Fail("origins", "each must start with https:// (\"" + o + "\")");
  }
  AIP_RETURN_IF_ERROR(r.Duration("max_lifetime", w.max_lifetime));
  if (w.max_lifetime < milliseconds(1000) || w.max_lifetime > std::chrono::hours(24 * 366 * 100)) {
    return r.Fail("max_lifetime", "must be between 1s and 100 years");
  }
  AIP_RETURN_IF_ERROR(r.Bool("require_nonce", w.require_nonce));
  for (auto [key, out] : {std::pair{"directory_min_ttl", &w.directory_min_ttl},
                          {"directory_max_ttl", &w.directory_max_ttl},
                          {"directory_refresh", &w.directory_refresh},
                          {"directory_max_lifetime", &w.directory_max_lifetime},
                          {"directory_timeout", &w.directory_timeout}}) {
    AIP_RETURN_IF_ERROR(r.Duration(key, *out));
    if (*out < milliseconds(1000) && std::string_view(key) != "directory_timeout") return r.Fail(key, "must be at least 1s");
  }
  if (w.directory_timeout < milliseconds(100) || w.directory_timeout > milliseconds(60000)) {
    return r.Fail("directory_timeout", "must be between 100ms and 60s");
  }
  if (w.directory_max_ttl < w.directory_min_ttl) return r.Fail("directory_max_ttl", "must be at least directory_min_ttl");
  AIP_RETURN_IF_ERROR(r.String("ca_file", w.ca_file));
  w.ca_file = Resolve(base_dir, w.ca_file);
  AIP_RETURN_IF_ERROR(r.Bool("allow_private_directories", w.allow_private_directories));
  return OkStatus();
}

}  // namespace

Result<GatewayConfig> ParseConfig(std::string_view text, std::string_view source, const std::string& base_dir,
                                  const policy::PolicyOptions& policy_options) {
  AIP_ASSIGN_OR_RETURN(toml::Document doc, toml::Parse(text, source));
  GatewayConfig cfg;
  cfg.source = std::string(source);
  Reader root = toml::Reader(doc);
  AIP_RETURN_IF_ERROR(root.OnlyFields({"gateway", "auth", "apikeys", "oauth", "web_bot_auth", "audit", "trust", "replay", "rate_limits",
                                       "upstream", "rule", "limit", "pins"}));
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> gateway, root.Nested("gateway"));
  if (gateway) {
    const Reader& r = *gateway;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"listen",
                                      "public_url",
                                      "tls_cert",
                                      "tls_key",
                                      "event_loop",
                                      "threads",
                                      "max_in_flight",
                                      "io_threads",
                                      "busy_poll_us",
                                      "max_body_bytes",
                                      "max_sessions",
                                      "max_sessions_per_caller",
                                      "session_idle_timeout",
                                      "max_connections",
                                      "max_connections_per_address",
                                      "request_timeout",
                                      "shutdown_grace",
                                      "replay_cache_entries",
                                      "allowed_origins",
                                      "allowed_hosts",
                                      "unsafe_allow_all",
                                      "identity",
                                      "denial_detail",
                                      "session_secret_env",
                                      "session_secret_file",
                                      "session_max_age"}));
    AIP_RETURN_IF_ERROR(r.String("listen", cfg.listen));
    if (cfg.listen.rfind(':') == std::string::npos) return r.Fail("listen", "must be HOST:PORT");
    AIP_RETURN_IF_ERROR(r.String("public_url", cfg.public_url));
    AIP_RETURN_IF_ERROR(r.String("tls_cert", cfg.tls_cert));
    AIP_RETURN_IF_ERROR(r.String("tls_key", cfg.tls_key));
    if (cfg.tls_cert.empty() != cfg.tls_key.empty()) return r.Fail("tls_cert", "tls_cert and tls_key go together");
    cfg.tls_cert = Resolve(base_dir, cfg.tls_cert);
    cfg.tls_key = Resolve(base_dir, cfg.tls_key);
    AIP_RETURN_IF_ERROR(r.IntAs("threads", cfg.threads, 1, 64));
    AIP_RETURN_IF_ERROR(r.Bool("event_loop", cfg.event_loop));
    AIP_RETURN_IF_ERROR(r.IntAs("io_threads", cfg.io_threads, 0, 16));
    // Each fiber takes two of the process's memory maps (Linux allows 65,530 by default).
    AIP_RETURN_IF_ERROR(r.IntAs("max_in_flight", cfg.max_in_flight, 16, 30000));
    AIP_RETURN_IF_ERROR(r.IntAs("busy_poll_us", cfg.busy_poll_us, 0, 10000));
    AIP_RETURN_IF_ERROR(r.IntAs("max_body_bytes", cfg.max_body_bytes, 1024, 64 * 1024 * 1024));
    AIP_RETURN_IF_ERROR(r.IntAs("max_sessions", cfg.max_sessions, 2, 1000000));
    AIP_RETURN_IF_ERROR(r.IntAs("max_sessions_per_caller", cfg.max_sessions_per_caller, 1, 1000000));
    AIP_RETURN_IF_ERROR(r.Duration("session_idle_timeout", cfg.session_idle_timeout));
    if (cfg.session_idle_timeout < std::chrono::seconds(1) || cfg.session_idle_timeout > std::chrono::hours(24)) {
      return r.Fail("session_idle_timeout", "must be between 1s and 24h");
    }
    if (r.Has("session_secret_env") || r.Has("session_secret_file")) {
      AIP_ASSIGN_OR_RETURN(cfg.session_secret, ReadKeySecret(r, base_dir, "session_secret_env", "session_secret_file"));
    }
    AIP_RETURN_IF_ERROR(r.Duration("session_max_age", cfg.session_max_age));
    if (cfg.session_max_age < std::chrono::minutes(1) || cfg.session_max_age > std::chrono::hours(24)) {
      return r.Fail("session_max_age", "must be between 1m and 24h");
    }
    AIP_RETURN_IF_ERROR(r.IntAs("max_connections", cfg.max_connections, 0, 10000000));
    AIP_RETURN_IF_ERROR(r.IntAs("max_connections_per_address", cfg.max_connections_per_address, 0, 10000000));
    AIP_RETURN_IF_ERROR(r.Duration("request_timeout", cfg.request_timeout));
    if (cfg.request_timeout < std::chrono::milliseconds(100) || cfg.request_timeout > std::chrono::minutes(10)) {
      return r.Fail("request_timeout", "must be between 100ms and 10m");
    }
    AIP_RETURN_IF_ERROR(r.Duration("shutdown_grace", cfg.shutdown_grace));
    if (cfg.shutdown_grace > std::chrono::minutes(10)) return r.Fail("shutdown_grace", "must be at most 10m");
    AIP_RETURN_IF_ERROR(r.IntAs("replay_cache_entries", cfg.replay_cache_entries, 1000, 100'000'000));
    AIP_RETURN_IF_ERROR(r.Strings("allowed_origins", cfg.allowed_origins));
    AIP_RETURN_IF_ERROR(r.Strings("allowed_hosts", cfg.allowed_hosts));
    AIP_RETURN_IF_ERROR(r.Bool("unsafe_allow_all", cfg.unsafe_allow_all));
    AIP_RETURN_IF_ERROR(r.String("identity", cfg.identity_home));
    cfg.identity_home = Resolve(base_dir, cfg.identity_home);
    std::string detail = "reason";
    AIP_RETURN_IF_ERROR(r.String("denial_detail", detail));
    if (detail == "full") {
      cfg.denial_detail = DenialDetail::kFull;
    } else if (detail == "reason") {
      cfg.denial_detail = DenialDetail::kReason;
    } else if (detail == "none") {
      cfg.denial_detail = DenialDetail::kNone;
    } else {
      return r.Fail("denial_detail", "must be \"full\", \"reason\" or \"none\"");
    }
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> auth_section, root.Nested("auth"));
  if (auth_section) {
    const Reader& r = *auth_section;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"aip_proof", "http_signature", "audiences", "api_keys", "api_key_db"}));
    AIP_RETURN_IF_ERROR(r.Bool("api_keys", cfg.accept_api_keys));
    AIP_RETURN_IF_ERROR(r.String("api_key_db", cfg.api_key_db));
    if (!cfg.api_key_db.empty()) cfg.api_key_db = Resolve(base_dir, cfg.api_key_db);
    AIP_RETURN_IF_ERROR(r.Bool("aip_proof", cfg.accept_aip_proof));
    AIP_RETURN_IF_ERROR(r.Bool("http_signature", cfg.accept_http_signature));
    AIP_RETURN_IF_ERROR(r.Strings("audiences", cfg.audiences));
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> pins_section, root.Nested("pins"));
  if (pins_section) {
    AIP_RETURN_IF_ERROR(pins_section->OnlyFields({"file"}));
    AIP_RETURN_IF_ERROR(pins_section->String("file", cfg.pins_file));
    cfg.pins_file = Resolve(base_dir, cfg.pins_file);
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> web_bot_auth, root.Nested("web_bot_auth"));
  if (web_bot_auth) AIP_RETURN_IF_ERROR(ReadWebBotAuth(*web_bot_auth, base_dir, cfg.web_bot_auth));
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> apikeys_section, root.Nested("apikeys"));
  if (apikeys_section) {
    // Where the keys are when several instances share them (docs/scaling.md).
    const Reader& r = *apikeys_section;
    ApiKeysConfig& k = cfg.apikeys;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"db", "hash_key_file", "refresh", "stale_after"}));
    if (!cfg.api_key_db.empty()) return r.Fail("db", "not with [auth] api_key_db: name the store in one place");
    if (!cfg.accept_api_keys) return r.Fail("db", "is set but [auth] api_keys is not true: keys would be ignored");
    AIP_RETURN_IF_ERROR(r.String("db", k.db));
    if (k.db.empty()) return r.Fail("db", "is required: a SQLite path or a postgresql:// URL");
    bool postgres = k.db.starts_with("postgresql://") || k.db.starts_with("postgres://");
    if (postgres && UrlHasPassword(k.db)) {
      return r.Fail("db", "no password in the URL: give it by PGPASSWORD or a passfile (PGPASSFILE, mode 0600)");
    }
    if (!postgres) k.db = Resolve(base_dir, k.db);
    AIP_RETURN_IF_ERROR(r.String("hash_key_file", k.hash_key_file));
    if (postgres && k.hash_key_file.empty()) return r.Fail("hash_key_file", "is required with PostgreSQL: the same file on every host");
    if (!k.hash_key_file.empty()) k.hash_key_file = Resolve(base_dir, k.hash_key_file);
    AIP_RETURN_IF_ERROR(r.Duration("refresh", k.refresh));
    AIP_RETURN_IF_ERROR(r.Duration("stale_after", k.stale_after));
    if (k.refresh < std::chrono::milliseconds(100) || k.refresh > std::chrono::seconds(60)) {
      return r.Fail("refresh", "must be between 100ms and 60s");
    }
    if (k.stale_after < 2 * k.refresh) return r.Fail("stale_after", "must be at least twice refresh");
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> audit_section, root.Nested("audit"));
  if (audit_section) {
    const Reader& r = *audit_section;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"path", "fsync", "checkpoint_every", "checkpoint_interval", "record_arguments", "redact_pointers",
                                      "redact_keys", "rotate_bytes", "rotate_interval", "on_broken_chain", "witness", "witness_did"}));
    AIP_RETURN_IF_ERROR(r.String("path", cfg.audit.path));
    cfg.audit.path = Resolve(base_dir, cfg.audit.path);
    std::string fsync = "every_line";
    AIP_RETURN_IF_ERROR(r.String("fsync", fsync));
    if (fsync == "every_line") {
      cfg.audit.fsync = AuditConfig::Fsync::kEveryLine;
    } else if (fsync == "checkpoint") {
      cfg.audit.fsync = AuditConfig::Fsync::kCheckpoint;
    } else if (fsync == "never") {
      cfg.audit.fsync = AuditConfig::Fsync::kNever;
    } else {
      return r.Fail("fsync", "must be \"every_line\", \"checkpoint\" or \"never\"");
    }
    AIP_RETURN_IF_ERROR(r.IntAs("checkpoint_every", cfg.audit.checkpoint_every, 1, 10000000));
    std::chrono::milliseconds interval = cfg.audit.checkpoint_interval;
    AIP_RETURN_IF_ERROR(r.Duration("checkpoint_interval", interval));
    cfg.audit.checkpoint_interval = std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(interval));
    AIP_RETURN_IF_ERROR(r.Bool("record_arguments", cfg.audit.record_arguments));
    AIP_RETURN_IF_ERROR(r.Strings("redact_pointers", cfg.audit.redact_pointers));
    for (const auto& p : cfg.audit.redact_pointers) {
      if (!p.starts_with("/")) return r.Fail("redact_pointers", "\"" + p + "\" is not a JSON Pointer");
    }
    AIP_RETURN_IF_ERROR(r.Strings("redact_keys", cfg.audit.redact_keys));
    AIP_RETURN_IF_ERROR(r.ByteSize("rotate_bytes", cfg.audit.rotate_bytes));
    if (cfg.audit.rotate_bytes != 0 && cfg.audit.rotate_bytes < (1u << 20))
      return r.Fail("rotate_bytes", "must be 0 (off) or at least 1MiB");
    if (r.Has("rotate_interval")) {
      std::string off;
      AIP_RETURN_IF_ERROR(r.String("rotate_interval", off));
      if (off == "0") {
        cfg.audit.rotate_interval = std::chrono::seconds(0);
      } else {
        std::chrono::milliseconds every{0};
        AIP_RETURN_IF_ERROR(r.Duration("rotate_interval", every));
        if (every < std::chrono::minutes(1)) return r.Fail("rotate_interval", "must be \"0\" (off) or at least \"1m\"");
        cfg.audit.rotate_interval = std::chrono::duration_cast<std::chrono::seconds>(every);
      }
    }
    std::string broken = "refuse";
    AIP_RETURN_IF_ERROR(r.String("on_broken_chain", broken));
    if (broken == "refuse") {
      cfg.audit.on_broken_chain = AuditConfig::OnBrokenChain::kRefuse;
    } else if (broken == "new_file") {
      cfg.audit.on_broken_chain = AuditConfig::OnBrokenChain::kNewFile;
    } else {
      return r.Fail("on_broken_chain", "must be \"refuse\" or \"new_file\"");
    }
    AIP_RETURN_IF_ERROR(r.String("witness", cfg.audit.witness));
    AIP_RETURN_IF_ERROR(r.String("witness_did", cfg.audit.witness_did));
    if (!cfg.audit.witness.empty()) {
      if (!cfg.audit.witness.starts_with("http://") && !cfg.audit.witness.starts_with("https://")) {
        return r.Fail("witness", "must be an http(s) URL");
      }
      // A receipt from just anyone proves nothing: name the witness's key.
      if (!cfg.audit.witness_did.starts_with("did:key:")) return r.Fail("witness_did", "the witness's did:key is required with witness");
    }
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> oauth_section, root.Nested("oauth"));
  if (oauth_section) {
    const Reader& r = *oauth_section;
    OAuthConfig& o = cfg.oauth;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"issuer",
                                      "jwks_uri",
                                      "audiences",
                                      "algorithms",
                                      "require_at_jwt",
                                      "leeway",
                                      "ca_file",
                                      "scopes_supported",
                                      "jwks_cooldown",
                                      "jwks_max_age",
                                      "dpop_required",
                                      "introspection_endpoint",
                                      "introspection_client_id",
                                      "introspection_secret_env",
                                      "introspection_cache",
                                      "hs256_secret_env",
                                      "hs256_kid",
                                      "dpop_nonce",
                                      "dpop_nonce_secret_env",
                                      "dpop_nonce_secret_file"}));
    AIP_RETURN_IF_ERROR(r.String("introspection_endpoint", o.introspection_endpoint));
    AIP_RETURN_IF_ERROR(r.String("introspection_client_id", o.introspection_client_id));
    AIP_RETURN_IF_ERROR(r.String("introspection_secret_env", o.introspection_secret_env));
    AIP_RETURN_IF_ERROR(r.Duration("introspection_cache", o.introspection_cache));
    if (!o.introspection_endpoint.empty() && (o.introspection_client_id.empty() || o.introspection_secret_env.empty())) {
      return r.Fail("introspection_endpoint", "needs introspection_client_id and introspection_secret_env");
    }
    if (!o.introspection_secret_env.empty()) {
      const char* secret = std::getenv(o.introspection_secret_env.c_str());
      if (secret == nullptr || *secret == '\0') {
        return r.Fail("introspection_secret_env", "environment variable " + o.introspection_secret_env + " is not set");
      }
    }
    AIP_RETURN_IF_ERROR(r.Bool("dpop_required", o.dpop_required));
    AIP_RETURN_IF_ERROR(r.Bool("dpop_nonce", o.dpop_nonce));
    if (r.Has("dpop_nonce_secret_env") || r.Has("dpop_nonce_secret_file")) {
      if (!o.dpop_nonce) return r.Fail("dpop_nonce_secret_env", "a nonce secret needs dpop_nonce = true");
      AIP_ASSIGN_OR_RETURN(o.dpop_nonce_secret, ReadKeySecret(r, base_dir, "dpop_nonce_secret_env", "dpop_nonce_secret_file"));
    }
    AIP_RETURN_IF_ERROR(r.String("issuer", o.issuer));
    if (o.issuer.empty()) return r.Fail("issuer", "is required: the authorization server whose tokens are accepted");
    AIP_RETURN_IF_ERROR(r.String("jwks_uri", o.jwks_uri));
    AIP_RETURN_IF_ERROR(r.Strings("audiences", o.audiences));
    AIP_RETURN_IF_ERROR(r.String("hs256_secret_env", o.hs256_secret_env));
    AIP_RETURN_IF_ERROR(r.String("hs256_kid", o.hs256_kid));
    if (!o.hs256_secret_env.empty()) {
      // A shared secret is the only key then: HS256 next to public-key algorithms would invite
      // the RS256→HS256 confusion, and a fetched key set must never hold a symmetric key.
      const char* secret = std::getenv(o.hs256_secret_env.c_str());
      if (secret == nullptr || *secret == '\0') {
        return r.Fail("hs256_secret_env", "environment variable " + o.hs256_secret_env + " is not set");
      }
      if (std::strlen(secret) < 32) return r.Fail("hs256_secret_env", "an HS256 secret needs at least 32 bytes");
      if (!o.jwks_uri.empty()) return r.Fail("jwks_uri", "not with hs256_secret_env: the shared secret is the key");
      o.algorithms = {"HS256"};
      if (r.Has("algorithms")) {
        std::vector<std::string> given;
        AIP_RETURN_IF_ERROR(r.Strings("algorithms", given));
        if (given != o.algorithms) return r.Fail("algorithms", "with hs256_secret_env, only [\"HS256\"]");
      }
    } else {
      AIP_RETURN_IF_ERROR(r.Strings("algorithms", o.algorithms));
      for (const auto& alg : o.algorithms) {
        if (alg != "RS256" && alg != "PS256" && alg != "ES256" && alg != "EdDSA") {
          return r.Fail("algorithms", "\"" + alg + "\" is not one of RS256, PS256, ES256, EdDSA (HS256 needs hs256_secret_env)");
        }
      }
    }
    if (o.algorithms.empty()) return r.Fail("algorithms", "needs at least one algorithm");
    AIP_RETURN_IF_ERROR(r.Bool("require_at_jwt", o.require_at_jwt));
    AIP_RETURN_IF_ERROR(r.Duration("leeway", o.leeway));
    if (o.leeway > std::chrono::minutes(5)) return r.Fail("leeway", "at most 5m");
    AIP_RETURN_IF_ERROR(r.String("ca_file", o.ca_file));
    if (!o.ca_file.empty()) o.ca_file = Resolve(base_dir, o.ca_file);
    AIP_RETURN_IF_ERROR(r.Strings("scopes_supported", o.scopes_supported));
    AIP_RETURN_IF_ERROR(r.Duration("jwks_cooldown", o.jwks_cooldown));
    AIP_RETURN_IF_ERROR(r.Duration("jwks_max_age", o.jwks_max_age));
  }
  AIP_ASSIGN_OR_RETURN(std::vector<Reader> upstreams, root.Items("upstream"));
  for (const Reader& r : upstreams) {
    UpstreamConfig uc;
    AIP_RETURN_IF_ERROR(ReadUpstream(r, base_dir, uc));
    for (const auto& other : cfg.upstreams) {
      if (other.name == uc.name) return r.Fail("name", "duplicate upstream name \"" + uc.name + "\"");
    }
    cfg.upstreams.push_back(std::move(uc));
  }
  AIP_ASSIGN_OR_RETURN(std::optional<Reader> trust_section, root.Nested("trust"));
  if (trust_section) {
    const Reader& r = *trust_section;
    AIP_RETURN_IF_ERROR(r.OnlyFields({"db", "anchors", "registry", "sync_every"}));
    cfg.trust.enabled = true;
    AIP_RETURN_IF_ERROR(r.String("db", cfg.trust.db));
    if (cfg.trust.db.starts_with("postgresql://") || cfg.trust.db.starts_with("postgres://")) {
      // Several instances read one trust store (docs/scaling.md).
      if (UrlHasPassword(cfg.trust.db)) {
        return r.Fail("db", "no password in the URL: give it by PGPASSWORD or a passfile (PGPASSFILE, mode 0600)");
      }
    } else if (!cfg.trust.db.empty()) {
      cfg.trust.db = Resolve(base_dir, cfg.trust.db);
    }
    AIP_RETURN_IF_ERROR(r.Strings("anchors", cfg.trust.anchors));
    for (const auto& a : cfg.trust.anchors) {
      if (!a.starts_with("did:")) return r.Fail("anchors", "\"" + a + "\" is not a DID");
    }
    // Kept current from a registry by the gateway itself (docs/trust.md, "Trust that stays current").
    AIP_RETURN_IF_ERROR(r.String("registry", cfg.trust.registry));
    if (!cfg.trust.registry.empty()) {
      if (auto u = net::ParseUrl(cfg.trust.registry); !u) return r.Fail("registry", u.error().message);
    }
    AIP_RETURN_IF_ERROR(r.Duration("sync_every", cfg.trust.sync_every));
    if (cfg.trust.sync_every < std::chrono::seconds(1) || cfg.trust.sync_every > std::chrono::hours(24)) {
      return r.Fail("sync_every", "must be between 1s and 24h");
    }
  }
  for (const char* section : {"replay", "rate_limits"}) {
    AIP_ASSIGN_OR_RETURN(std::optional<Reader> store, root.Nested(section));
    if (store) {
      AIP_RETURN_IF_ERROR(ReadRedisStore(*store, base_dir, std::string_view(section) == "replay" ? cfg.replay : cfg.rate_limits));
    }
  }
  policy::PolicyOptions options = policy_options;
  cfg.trust_scores = std::make_shared<TrustScores>();
  if (!options.conditions.contains("trust")) options.conditions["trust"] = TrustConditionFactory(cfg.trust_scores);
  AIP_ASSIGN_OR_RETURN(policy::Policy p, policy::Policy::FromDocument(doc, options));
  if (cfg.trust_scores->used() && !cfg.trust.enabled) {
    return InvalidArgumentError(std::string(source) + ": a rule requires trust, but there is no [trust] section");
  }
  for (const auto& u : cfg.upstreams) {
    if (u.require_trust && !cfg.trust.enabled) {
      return InvalidArgumentError(std::string(source) + ": upstream " + u.name + " requires trust, but there is no [trust] section");
    }
  }
  cfg.policy = std::make_shared<const policy::Policy>(std::move(p));
  AIP_ASSIGN_OR_RETURN(policy::RateLimits l, policy::RateLimits::FromDocument(doc));
  cfg.limits = std::make_shared<policy::RateLimits>(std::move(l));
  return cfg;
}

std::filesystem::path PinsFileOf(const GatewayConfig& config) {
  if (!config.pins_file.empty()) return config.pins_file;
  std::filesystem::path home =
      config.identity_home.empty() ? identity::KeyStore::DefaultHome() : std::filesystem::path(config.identity_home);
  return home / "pins" / "gateway.json";
}

Result<GatewayConfig> LoadConfig(const std::string& path, const policy::PolicyOptions& policy_options) {
  auto text = ReadFile(path, 1024 * 1024);
  if (!text) return InvalidArgumentError(path + ": " + text.error().message);
  std::string dir = std::filesystem::path(path).parent_path().string();
  return ParseConfig(*text, path, dir.empty() ? "." : dir, policy_options);
}

}  // namespace aip::gateway
