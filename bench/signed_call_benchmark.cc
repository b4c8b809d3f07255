// The per-request cost of verifying a signed MCP call — strict parse, secured document, JCS,
// two SHA-256, Ed25519, replay check — against one raw libsodium Ed25519 verify of the same size;
// and of the Python AIP X-AIP-* headers (the legacy path) for an agent in the keyring.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "aip/base/encoding.h"
#include "aip/base/json.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/identity/did_aip.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/legacy_headers.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/net/http.h"

namespace {

constexpr std::size_t kRequests = 4096;

// Signed requests with distinct nonces, as a client would send them.
const std::vector<std::string>& SignedRequests() {
  static const std::vector<std::string> requests = [] {
    auto agent = aip::identity::Identity::Generate("bench", "", aip::DefaultClock().Now());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kRequests; ++i) {
      auto r = aip::json::ParseJsonObject(
          R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create_task","arguments":{"project":"project-a",)"
          R"("title":"Prepare the quarterly report for the finance team","priority":3,"tags":["finance","q3","report"],)"
          R"("due":"2026-12-01T17:00:00Z","notes":"Include revenue by region, cost breakdown, and variance against plan."},)"
          R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})");
      (void)aip::mcpsig::SignRequest(*r, agent, {"https://tasks.example.com/mcp", std::chrono::seconds(120), &aip::DefaultClock()});
      out.push_back(aip::json::Serialize(*r));
    }
    return out;
  }();
  return requests;
}

void BM_VerifySignedRequest(benchmark::State& state) {
  const auto& requests = SignedRequests();
  aip::mcpsig::VerifyOptions o{
      {"https://tasks.example.com/mcp"}, aip::mcpsig::DefaultResolver(), nullptr, std::chrono::seconds(60), &aip::DefaultClock()};
  std::size_t i = 0;
  for (auto _ : state) {
    if (i % kRequests == 0) o.replay_cache = std::make_shared<aip::authn::InMemoryReplayCache>(kRequests * 2);
    auto parsed = aip::json::ParseJsonObject(requests[i % kRequests]);
    auto r = aip::mcpsig::VerifyRequest(std::move(*parsed), o);
    if (!std::holds_alternative<aip::authn::Principal>(r)) state.SkipWithError("verification failed");
    ++i;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifySignedRequest);

void BM_RawEd25519Verify(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  const std::string& msg = SignedRequests()[0];
  unsigned char pk[32], sk[64], sig[64];
  crypto_sign_keypair(pk, sk);
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk);
  for (auto _ : state) {
    if (crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), pk) != 0) {
      state.SkipWithError("verify failed");
    }
  }
}
BENCHMARK(BM_RawEd25519Verify);

// Python AIP's headers over the same body, each with its own nonce, from a did:aip agent the
// verifier knows from its keyring (as the Python service's agents are known).
struct LegacyRequests {
  std::string body;
  std::vector<aip::net::Headers> headers;
  std::shared_ptr<aip::identity::StaticKeyResolver> keyring = std::make_shared<aip::identity::StaticKeyResolver>();
  std::string did;
};

const LegacyRequests& Legacy() {
  static const LegacyRequests legacy = [] {
    LegacyRequests out;
    auto key = aip::crypto::Ed25519PrivateKey::Generate();
    out.did = aip::identity::DidAipFromPublicKey(key.public_key());
    (void)out.keyring->Add(out.did, key.public_key());
    out.body = SignedRequests()[0];
    std::string ts = aip::FormatTime(aip::DefaultClock().Now());
    std::string digest = aip::HexEncode(aip::crypto::Sha256(aip::AsBytes(out.body)));
    for (std::size_t i = 0; i < kRequests; ++i) {
      std::string nonce = aip::HexEncode(aip::crypto::RandomBytes(8));
      aip::net::Headers h;
      h.Set("x-aip-did", out.did);
      h.Set("x-aip-timestamp", ts);
      h.Set("x-aip-nonce", nonce);
      h.Set("x-aip-signature", aip::Base64Encode(key.Sign(aip::AsBytes("POST:/mcp:" + ts + ":" + nonce + ":" + digest))));
      out.headers.push_back(std::move(h));
    }
    return out;
  }();
  return legacy;
}

void BM_VerifyLegacyHeaders(benchmark::State& state) {
  const LegacyRequests& legacy = Legacy();
  std::shared_ptr<aip::authn::ReplayCache> cache;
  std::size_t i = 0;
  for (auto _ : state) {
    if (i % kRequests == 0) cache = std::make_shared<aip::authn::InMemoryReplayCache>(kRequests * 2);
    aip::mcpsig::LegacyAipHeaderAuthenticator verifier(legacy.keyring, cache);
    aip::authn::HttpInfo http{"POST", "https://tasks.example.com/mcp", &legacy.headers[i % kRequests], legacy.body, "127.0.0.1"};
    auto r = verifier.Verify(aip::authn::Credential{aip::authn::CredentialType::kLegacyAipHeaders, "", ""}, aip::json::Object{}, &http);
    if (!std::holds_alternative<aip::authn::Principal>(r)) state.SkipWithError("verification failed");
    ++i;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyLegacyHeaders);

// What finding the key cost the legacy path before KeyOf: the agent's whole DID document, built
// (with its X25519 key-agreement key) and parsed again on every call.
void BM_ResolveKeyringDocument(benchmark::State& state) {
  const LegacyRequests& legacy = Legacy();
  for (auto _ : state) {
    auto r = legacy.keyring->Resolve(legacy.did);
    if (!r) state.SkipWithError("resolve failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ResolveKeyringDocument);

}  // namespace
