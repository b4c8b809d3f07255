#include "serve_main.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>

#include "aip/crypto/secret_bytes.h"

#include "aip/identity/key_store.h"
#include "aip/mcp/http_transport.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/definition_proof.h"
#include "aip/mcpsig/web_bot_auth_authenticator.h"
#include "aip/mcpsig/legacy_headers.h"
#include "aip/mcp/stdio_transport.h"
#include "aip/net/http_server.h"
#include "aip/redis/replay_cache.h"

namespace aip::examples {

int ServeMain(mcp::McpServer& server, int argc, char** argv) {
  CLI::App app{server.info().name + ": an example MCP server"};
  bool stdio = false;
  std::string http;
  net::HttpServerOptions hopts;
  mcp::StreamableHttpOptions topts;
  app.add_flag("--stdio", stdio, "Serve MCP over stdin/stdout");
  app.add_option("--http", http, "Serve MCP Streamable HTTP on HOST:PORT (path /mcp)");
  app.add_option("--threads", hopts.threads, "I/O threads")->check(CLI::Range(1, 64));
  app.add_option("--allow-origin", topts.allowed_origins, "Allowed Origin besides loopback (repeatable)");
  app.add_option("--allow-host", topts.allowed_hosts, "Allowed Host besides loopback (repeatable)");
  app.add_option("--tls-cert", hopts.tls_cert_file, "TLS certificate chain (PEM)");
  app.add_option("--tls-key", hopts.tls_key_file, "TLS private key (PEM)");
  app.add_option("--max-body", hopts.max_body_bytes, "Largest request body in bytes (default 4 MiB)");
  bool require_proof = false, optional_proof = false, sign_results = false, sign_definitions = false, legacy_headers = false;
  std::vector<std::string> audiences;
  app.add_flag("--require-proof", require_proof, "Refuse requests without a valid signed-call proof (401)");
  app.add_flag("--accept-proof", optional_proof, "Verify proofs when present; allow unsigned requests");
  app.add_option("--audience", audiences, "Accepted proof audience (repeatable; HTTP adds its own URL)");
  app.add_flag("--accept-legacy-aip-headers", legacy_headers,
               "Also accept Python AIP X-AIP-* header signatures (weaker: no audience; keys from the $AIP_HOME keyring)");
  bool web_bot_auth = false, web_bot_auth_private = false;
  std::string web_bot_auth_ca_file;
  app.add_flag("--accept-web-bot-auth", web_bot_auth,
               "Also accept Web Bot Auth signatures (keys from the operator's directory; proves the operator, not the call)");
  app.add_option("--web-bot-auth-ca-file", web_bot_auth_ca_file, "Extra CA certificates (PEM) for operators' key directories");
  app.add_flag("--web-bot-auth-allow-private", web_bot_auth_private, "Fetch key directories from loopback/private addresses (tests)");
  app.add_flag("--sign-results", sign_results, "Sign every result with the identity in $AIP_HOME or AIP_PRIVATE_KEY");
  app.add_flag("--sign-definitions", sign_definitions,
               "Sign each listed tool, prompt and resource template, and each listing, with that identity (docs/protocol.md)");
  std::string replay_store, replay_store_password_env, replay_store_ca_file;
  app.add_option("--replay-store", replay_store,
                 "redis://HOST[:PORT][/DB] (rediss:// for TLS): remember proof nonces in Redis, shared by every instance naming it");
  app.add_option("--replay-store-password-env", replay_store_password_env, "Environment variable holding that Redis's password");
  app.add_option("--replay-store-ca-file", replay_store_ca_file, "With rediss://: the CA certificates (PEM) to trust for that Redis");
  std::string api_key_env, record_requests;
  app.add_option("--api-key-env", api_key_env, "HTTP: require header X-Api-Key equal to this environment variable's value (401 otherwise)");
  app.add_option("--record-requests", record_requests, "HTTP: append every request's headers and body to FILE as JSON lines (for tests)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (web_bot_auth && !require_proof && !optional_proof) {
    std::cerr << "--accept-web-bot-auth: give --require-proof or --accept-proof too\n";
    return 2;
  }
  std::shared_ptr<mcpsig::ProofAuthenticator> authenticator;
  if (require_proof || optional_proof) {
    mcpsig::VerifyOptions v;
    v.audiences = audiences;
    v.resolver = mcpsig::DefaultResolver();
    if (replay_store.empty()) {
      v.replay_cache = std::make_shared<authn::InMemoryReplayCache>();
      // Credentials made before this process started are refused: an earlier process may have
      // accepted them (docs/protocol.md, "Replay across restarts").
      v.replay_cache->StartsNow();
    } else {
      // Several instances share one memory of nonces, and its horizon (docs/scaling.md); while
      // Redis cannot be reached, signed calls are refused with 503.
      auto options = redis::ParseRedisUrl(replay_store);
      if (options) options->tls_ca_file = replay_store_ca_file;
      if (options && !replay_store_password_env.empty()) {
        const char* password = std::getenv(replay_store_password_env.c_str());
        if (password == nullptr || *password == '\0') {
          std::cerr << "--replay-store-password-env: " << replay_store_password_env << " is not set\n";
          return 2;
        }
        options->password = crypto::SecretBytes(AsBytes(std::string_view(password)));
      }
      auto client =
          options ? redis::RedisClient::Connect(std::move(*options)) : Result<std::shared_ptr<redis::RedisClient>>(options.error());
      auto cache =
          client ? redis::RedisReplayCache::Create(*client, "aip") : Result<std::shared_ptr<redis::RedisReplayCache>>(client.error());
      if (!cache) {
        std::cerr << "--replay-store: " << cache.error().message << "\n";
        return 3;
      }
      v.replay_cache = *cache;
    }
    auto replay = v.replay_cache;
    replay->WaitPastHorizon();
    authenticator = std::make_shared<mcpsig::ProofAuthenticator>(std::move(v));
    // Either credential identifies the agent: a proof in _meta, or an RFC 9421 HTTP signature.
    auto chain = std::make_shared<authn::AuthenticatorChain>();
    std::vector<std::shared_ptr<authn::CredentialAuthenticator>> authenticators{
        authenticator, std::make_shared<mcpsig::HttpSignatureAuthenticator>(mcpsig::DefaultResolver(), replay)};
    if (legacy_headers) {
      auto keyring = identity::KeyStore(identity::KeyStore::DefaultHome()).Keyring();
      if (!keyring) {
        std::cerr << "--accept-legacy-aip-headers: " << keyring.error().message << "\n";
        return 3;
      }
      auto resolver = std::make_shared<identity::CompositeResolver>();
      resolver->Register("did:", std::make_shared<identity::StaticKeyResolver>(std::move(*keyring)));
      resolver->Register("did:key:", std::make_shared<identity::DidKeyResolver>());
      authenticators.push_back(std::make_shared<mcpsig::LegacyAipHeaderAuthenticator>(resolver, replay));
    }
    if (web_bot_auth) {
      resolvers::BotDirectoryOptions directories;
      directories.fetch.ca_file = web_bot_auth_ca_file;
      directories.fetch.allow_private = web_bot_auth_private;
      mcpsig::WebBotAuthOptions w;
      w.directories = std::make_shared<resolvers::BotDirectories>(std::move(directories));
      w.replay_cache = replay;
      authenticators.push_back(std::make_shared<mcpsig::WebBotAuthAuthenticator>(std::move(w)));
    }
    for (const auto& a : authenticators) {
      if (Status s = chain->Add(a); !s.ok()) {
        std::cerr << s.message() << "\n";
        return 3;
      }
    }
    server.SetAuthenticator(chain, require_proof ? mcp::AuthMode::kRequired : mcp::AuthMode::kOptional);
  }
  if (sign_results || sign_definitions) {
    auto env = identity::IdentityFromEnvironment();
    Result<identity::Identity> id = env && env->has_value()
                                        ? Result<identity::Identity>(std::move(**env))
                                        : identity::KeyStore(identity::KeyStore::DefaultHome()).Load(identity::PassphraseFromEnvironment());
    if (!id) {
      std::cerr << (sign_results ? "--sign-results: " : "--sign-definitions: ") << id.error().message << "\n";
      return 3;
    }
    auto signer = std::make_shared<identity::Identity>(std::move(*id));
    if (sign_results) {
      std::cerr << server.info().name << ": signing results as " << signer->did() << "\n";
      server.SetResultSigner(std::make_shared<mcpsig::ProofResultSigner>(signer));
    }
    if (sign_definitions) {
      std::cerr << server.info().name << ": signing definitions as " << signer->did() << "\n";
      server.SetDefinitionSigner(std::make_shared<mcpsig::ProofDefinitionSigner>(signer));
    }
  }
  if (stdio == !http.empty()) {
    std::cerr << "choose exactly one of --stdio or --http HOST:PORT\n";
    return 2;
  }
  if (stdio) {
    Status s = mcp::ServeStdio(server, STDIN_FILENO, STDOUT_FILENO);
    return s.ok() ? 0 : 3;
  }
  std::size_t colon = http.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "--http needs HOST:PORT\n";
    return 2;
  }
  hopts.address = http.substr(0, colon);
  if (hopts.address.size() > 2 && hopts.address.front() == '[') hopts.address = hopts.address.substr(1, hopts.address.size() - 2);
  try {
    hopts.port = static_cast<std::uint16_t>(std::stoi(http.substr(colon + 1)));
  } catch (...) {
    std::cerr << "--http: bad port\n";
    return 2;
  }
  // Signals are taken by this thread only (sigwait), so no I/O thread is interrupted.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  net::RaiseFileLimit();
  mcp::StreamableHttpTransport transport(server, topts);
  std::optional<crypto::SecretBytes> api_key;
  if (!api_key_env.empty()) {
    const char* v = std::getenv(api_key_env.c_str());
    if (v == nullptr || *v == '\0') {
      std::cerr << "--api-key-env: " << api_key_env << " is not set\n";
      return 2;
    }
    api_key.emplace(ByteSpan(reinterpret_cast<const std::uint8_t*>(v), std::strlen(v)));
  }
  std::mutex record_mu;
  auto srv = net::HttpServer::Start(hopts, [&](const net::HttpRequest& r, net::Exchange& e) {
    if (!record_requests.empty()) {
      json::Object headers;
      for (const auto& [n, v] : r.headers.fields()) headers[n] = v;
      json::Object line{{"headers", std::move(headers)}, {"body", r.body}};
      std::lock_guard lock(record_mu);
      std::ofstream(record_requests, std::ios::app) << json::Serialize(json::Value(std::move(line))) << "\n";
    }
    if (api_key) {
      auto sent = r.headers.Get("x-api-key").value_or("");
      crypto::SecretBytes presented(ByteSpan(reinterpret_cast<const std::uint8_t*>(sent.data()), sent.size()));
      if (!presented.Equals(*api_key)) {
        e.Respond(mcp::JsonHttpResponse(401, json::Object{{"error", "a valid X-Api-Key is required"}}));
        return;
      }
    }
    transport.Handle(r, e);
  });
  if (!srv) {
    std::cerr << server.info().name << ": " << srv.error().message << "\n";
    return 3;
  }
  std::string scheme = hopts.tls_cert_file.empty() ? "http" : "https";
  std::string port = std::to_string((*srv)->port());
  if (authenticator) {
    authenticator->AddAudience(scheme + "://" + hopts.address + ":" + port + "/mcp");
    if (hopts.address == "127.0.0.1" || hopts.address == "::1") authenticator->AddAudience(scheme + "://localhost:" + port + "/mcp");
  }
  std::cerr << server.info().name << ": listening on " << scheme << "://" << hopts.address << ":" << port << "/mcp"
            << (authenticator ? (require_proof ? " (signed calls required)" : " (signed calls verified)") : "") << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  std::cerr << server.info().name << ": stopping\n";
  (*srv)->Stop(std::chrono::seconds(5));
  return 0;
}

}  // namespace aip::examples
