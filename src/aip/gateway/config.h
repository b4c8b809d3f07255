// The gateway's configuration file (TOML, docs/gateway.md): listener, authentication, the
// upstream servers with the credential the gateway holds for each, the audit log, and the
// policy rules and rate limits. Every error names the file, line and field.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/status.h"
#include "aip/crypto/secret_bytes.h"
#include "aip/pins/pin_store.h"
#include "aip/policy/policy.h"
#include "aip/policy/rate_limits.h"

namespace aip::gateway {

// OutboundCredential is what the gateway sends to one upstream, and only to it: an HTTP
// header (an API key, or "Authorization: Bearer ...") or, for a spawned server, one
// environment variable. The secret is read from an environment variable or a file when the
// configuration is loaded (and again on reload); it never appears in logs.
struct OutboundCredential {
  std::string header;   // HTTP upstreams: header name.
  std::string prefix;   // "Bearer " for bearer tokens.
  std::string env_var;  // Stdio upstreams: variable set in the child's environment.
  std::shared_ptr<const crypto::SecretBytes> secret;
  std::string source;  // Where it came from ("env WEATHER_API_KEY"), for messages; never the value.
};

struct UpstreamConfig {
  std::string name;                  // Namespace: its tools appear as "<name>.<tool>".
  bool namespaced = true;            // false: its tools and prompts keep their own names (one such upstream fronted as is).
  std::string url;                   // Streamable HTTP endpoint, or
  std::string ca_file;               // HTTPS: extra trust anchors (PEM) besides the system store.
  std::vector<std::string> command;  // a server spawned and spoken to over stdio.
  std::chrono::milliseconds timeout{30000};
  std::optional<OutboundCredential> credential;
  bool sign_requests = false;  // Re-sign forwarded requests with the gateway's identity.
  // Calls to it at once: HTTP connections (default 16), or copies of a spawned server (default
  // 1; more only for servers that keep no state of their own).
  int pool = 16;
  // Calls that may wait for one of those at once; more are refused at once ("busy"). Each call
  // holds a handler thread while it waits or runs, and the gateway adds pool + queue threads per
  // upstream to its `threads`: a slow upstream can tie up only its own share.
  int queue = 16;
  std::chrono::milliseconds restart_min{250}, restart_max{30000};
  std::chrono::milliseconds refresh{60000};  // How often its tools, resources and prompts are re-read.
  // An answer streamed as events must end within `timeout`, each event extending it by `timeout`,
  // never beyond max_stream after the call (HTTP upstreams).
  std::chrono::milliseconds max_stream{300000};
  // Tool integrity (docs/tool-integrity.md): what it lists is checked against the approved
  // definitions in [pins] file; tofu approves its first listing, approved nothing by itself.
  pins::PinMode pin = pins::PinMode::kOff;
  // Signed definitions (docs/protocol.md): each listed definition and each page must carry a
  // valid proof — by `signer` when set — or the item (or the whole page) is withheld.
  bool require_signed_definitions = false;
  std::string signer;  // A DID (did:key).
  // Server trust: the DID that signs its definitions must score at least `min` in `scope` from
  // the gateway's anchors ([trust]); below, nothing it lists is served (re-checked every listing).
  struct ServerTrust {
    double min = 0;
    std::string scope;
  };
  std::optional<ServerTrust> require_trust;
  std::string fingerprint;  // Canonical form of the settings: a reload restarts it only if changed.
};

struct AuditConfig {
  std::string path;  // Empty: no audit log (the gateway warns).
  enum class Fsync { kEveryLine, kCheckpoint, kNever } fsync = Fsync::kEveryLine;
  int checkpoint_every = 1000;  // Lines between signed checkpoints.
  std::chrono::seconds checkpoint_interval{60};
  bool record_arguments = true;
  std::vector<std::string> redact_pointers;  // JSON Pointers into the arguments.
  std::vector<std::string> redact_keys;      // Argument keys redacted wherever they appear.
  // Rotation: the current file is sealed and renamed once it reaches rotate_bytes or has been
  // written for rotate_interval (0: never for that reason).
  std::uint64_t rotate_bytes = 256ull << 20;
  std::chrono::seconds rotate_interval{24 * 3600};
  // A log that does not verify at start: refuse to start, or set it aside and begin a new chain.
  enum class OnBrokenChain { kRefuse, kNewFile } on_broken_chain = OnBrokenChain::kRefuse;
  // Checkpoints are sent to this witness (`aip audit witness`), whose receipts must be signed by
  // witness_did; empty: not witnessed.
  std::string witness;
  std::string witness_did;
};

// OAuthConfig: the gateway as an OAuth 2.1 resource server ([oauth]; docs/oauth.md).
struct OAuthConfig {
  std::string issuer;                  // Empty: bearer tokens are not accepted.
  std::string jwks_uri;                // Empty: from the issuer's metadata.
  std::vector<std::string> audiences;  // Empty: the gateway's resource URI.
  std::vector<std::string> algorithms{"RS256", "PS256", "ES256", "EdDSA"};
  bool require_at_jwt = true;
  std::chrono::milliseconds leeway{60000};
  std::string ca_file;
  std::vector<std::string> scopes_supported;
  std::chrono::milliseconds jwks_cooldown{30000};
  std::chrono::milliseconds jwks_max_age{600000};
  bool dpop_required = false;  // Every token must be DPoP-bound (RFC 9449).
  bool dpop_nonce = false;     // DPoP proofs must carry a server nonce (RFC 9449 §9).
  // The key of those nonces, shared by every instance (dpop_nonce_secret_env / _file): any
  // instance accepts another's nonces. Empty: a key of this process's own.
  crypto::SecretBytes dpop_nonce_secret;
  // HS256 tokens signed with a secret shared with the issuer (then the only algorithm, and no
  // key set is fetched): the name of the variable holding it, and the kid tokens name, if any.
  std::string hs256_secret_env;
  std::string hs256_kid;
  // Opaque tokens: RFC 7662 introspection, authenticated with the gateway's own client.
  std::string introspection_endpoint;
  std::string introspection_client_id;
  std::string introspection_secret_env;  // Name of the variable holding the client secret.
  std::chrono::milliseconds introspection_cache{60000};
};

// RedisStoreConfig: state shared by every instance, in Redis — the replay cache ([replay]) and
// the rate-limit buckets ([rate_limits]); docs/scaling.md. Empty store: this process's memory.
struct RedisStoreConfig {
  std::string store;        // redis://HOST[:PORT][/DB], or rediss:// for TLS.
  std::string tls_ca_file;  // rediss://: trust anchors (PEM); empty: the system's.
  std::string ns = "aip";
  crypto::SecretBytes password;  // From password_env or password_file.
  std::chrono::milliseconds timeout{250};
  int pool = 32;  // As many as the gateway's default threads: a call never waits for a connection.
  // What a call meets while the store cannot be reached: refused (503 + Retry-After; the
  // default), or checked against this instance's memory only ("local") — which lets a request
  // captured on one instance be replayed on another, or spends N limits, so it is logged loudly.
  enum class OnError { kRefuse, kLocal };
  OnError on_store_error = OnError::kRefuse;
};

// ApiKeysConfig: where API keys are kept ([apikeys]; docs/scaling.md) — a SQLite file or a
// PostgreSQL database several instances share — and how current each instance's copy is.
struct ApiKeysConfig {
  std::string db;                                // Empty: [auth] api_key_db, else $AIP_HOME/gateway.db.
  std::string hash_key_file;                     // Default "<db>.hashkey" for SQLite; required for PostgreSQL.
  std::chrono::milliseconds refresh{1000};       // How soon a revocation anywhere is seen.
  std::chrono::milliseconds stale_after{30000};  // Keys refused when the store has not answered this long.
};

// TrustConfig: where the gateway's trust scores come from ([trust]; docs/trust.md).
struct TrustConfig {
  bool enabled = false;
  std::string db;                    // Default $AIP_HOME/trust.db.
  std::vector<std::string> anchors;  // Besides the store's anchors and the gateway's own DID.
  std::string registry;              // Pull vouches and revocations from here (empty: nobody).
  std::chrono::milliseconds sync_every{60000};
};

// WebBotAuthConfig: agents that sign the IETF Web Bot Auth way ([web_bot_auth];
// docs/web-bot-auth.md). Off unless the section is present.
struct WebBotAuthConfig {
  bool enabled = false;
  std::vector<std::string> origins;  // Operator origins accepted (globs on "https://host[:port]"); empty: any.
  std::chrono::milliseconds max_lifetime{300000};
  bool require_nonce = true;
  // Key directories: kept as their Cache-Control says within [min_ttl, max_ttl]; an unknown keyid
  // refetches one at most every `refresh`; a directory signed for longer than
  // directory_max_lifetime is refused.
  std::chrono::milliseconds directory_min_ttl{60000};
  std::chrono::milliseconds directory_max_ttl{24 * 3600 * 1000};
  std::chrono::milliseconds directory_refresh{60000};
  std::chrono::milliseconds directory_max_lifetime{90LL * 24 * 3600 * 1000};
  std::chrono::milliseconds directory_timeout{5000};
  std::string ca_file;  // Extra trust anchors for directories (PEM).
  // Directories on loopback and private addresses (tests, a LAN): refused unless set, since the
  // origin is whatever the request names.
  bool allow_private_directories = false;
};

class TrustScores;

// How much of the policy a denied caller is told (docs/gateway.md, "Denials"): kFull names the
// failed requirement with its values, kReason the stable code and the failed field, kNone
// only that policy refused.
enum class DenialDetail { kFull, kReason, kNone };

struct GatewayConfig {
  std::string source;  // File name, for messages.
  std::string listen = "127.0.0.1:8080";
  std::string public_url;  // "https://gw.example.com/mcp": audience and signature base.
  std::string tls_cert, tls_key;
  // Where calls run. true (the default): on event loops — each request's handler on a fiber of
  // its own on the thread that read it, suspended while it waits for its upstream, so a call
  // costs no hand-off between threads (net/event_loop.h, docs/gateway.md). Off by itself with TLS
  // (the handler writes TLS records synchronously); false: on `threads` handler threads.
  bool event_loop = true;
  int threads = 32;  // With handler threads: calls handled at once, each holding a thread while its upstream answers.
  // On event loops: requests handled at once, each on a fiber holding a stack (512 KiB of address
  // space, mostly untouched, and two memory maps); more are answered 503 with Retry-After at once.
  int max_in_flight = 4096;
  // Event loops (or, with handler threads, the threads that read requests and write what the
  // handlers do not: TLS records, SSE keep-alives). 0 (the default): one loop per core, or one
  // I/O thread with handler threads.
  int io_threads = 0;
  // Microseconds a thread may poll for the next request or an upstream's answer instead of
  // sleeping, while the gateway is otherwise idle (net/busy_poll.h); 0 never polls. The default
  // takes a quarter off the latency of a lone call for about a sixth more CPU time per call at
  // that load, and changes nothing measurable from two concurrent calls up (docs/gateway.md).
  int busy_poll_us = 100;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  // Legacy (2025-era) sessions: at most this many, this many per principal (or per address for
  // anonymous ones), each ended after this long unused.
  std::size_t max_sessions = 10000;
  std::size_t max_sessions_per_caller = 256;
  std::chrono::milliseconds session_idle_timeout{10 * 60 * 1000};
  // Legacy sessions sealed under a key from this secret continue on any instance that has it
  // (session_secret_env / _file; docs/scaling.md); empty: sessions stay where they began.
  crypto::SecretBytes session_secret;
  std::chrono::milliseconds session_max_age{60 * 60 * 1000};
  // Client connections: at most this many (0: what the file limit allows), this many per
  // address, and each request's headers and body within request_timeout of its first byte.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_address = 512;
  std::chrono::milliseconds request_timeout{30000};
  // On SIGTERM calls in flight get this long to finish; then they are aborted (JSON-RPC errors).
  std::chrono::milliseconds shutdown_grace{5000};
  // Nonces the replay cache holds (about 80 bytes each): at least calls/s × proof lifetime.
  std::size_t replay_cache_entries = 4'000'000;
  std::vector<std::string> allowed_origins, allowed_hosts;
  bool unsafe_allow_all = false;  // Development only: every call allowed, loudly.
  DenialDetail denial_detail = DenialDetail::kReason;
  std::string identity_home;  // Gateway identity ($AIP_HOME when empty).
  bool accept_aip_proof = true;
  bool accept_http_signature = true;
  bool accept_api_keys = false;  // Keys made by `aip apikey create`, from api_key_db.
  std::string api_key_db;        // Default $AIP_HOME/gateway.db.
  ApiKeysConfig apikeys;
  std::vector<std::string> audiences;
  OAuthConfig oauth;
  WebBotAuthConfig web_bot_auth;
  std::vector<UpstreamConfig> upstreams;
  // [pins] file: the approved definitions of pinned upstreams; empty: $AIP_HOME/pins/gateway.json.
  std::string pins_file;
  AuditConfig audit;
  TrustConfig trust;
  RedisStoreConfig replay;
  RedisStoreConfig rate_limits;
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<policy::RateLimits> limits;
  std::shared_ptr<TrustScores> trust_scores;  // What the policy's trust conditions ask.
};

// LoadConfig reads and checks `path`; relative paths inside resolve against its directory.
// PinsFileOf is the pin file of `config`: its [pins] file, else <identity home>/pins/gateway.json.
std::filesystem::path PinsFileOf(const GatewayConfig& config);
Result<GatewayConfig> LoadConfig(const std::string& path, const policy::PolicyOptions& policy_options = {});
Result<GatewayConfig> ParseConfig(std::string_view text, std::string_view source, const std::string& base_dir,
                                  const policy::PolicyOptions& policy_options = {});

}  // namespace aip::gateway
