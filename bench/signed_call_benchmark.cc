// The per-request cost of verifying a signed MCP call — strict parse, secured document, JCS,
// two SHA-256, Ed25519, replay check — against one raw libsodium Ed25519 verify of the same size.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "aip/base/json.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/request_proof.h"

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

}  // namespace
