// The cost of checking an API key at the gateway: parse, look up by id in the in-memory copy of
// the store, HMAC-SHA256, constant-time compare, expiry and revocation (target ≤ 2 µs).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "aip/apikeys/authenticator.h"

namespace {

void BM_ApiKeyCheck(benchmark::State& state) {
  char tmpl[] = "/tmp/aip-apikey-bench-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  std::shared_ptr<aip::apikeys::ApiKeyStore> store(std::move(aip::apikeys::ApiKeyStore::Open(dir / "gateway.db").value()));
  // A store of realistic size: the key checked is one of a thousand.
  std::string key;
  for (int i = 0; i < 1000; ++i) {
    auto created = store->Create({"svc-" + std::to_string(i), {"tasks:read"}, {"tasks.*"}, std::nullopt}, aip::DefaultClock().Now());
    if (i == 500) key = created->key;
  }
  // A long refresh interval keeps the database out of the loop, as between two changes.
  auto auth = aip::apikeys::ApiKeyAuthenticator::Create(store, {std::chrono::hours(1), &aip::DefaultClock()}).value();
  for (auto _ : state) {
    auto result = auth->Check(key, "127.0.0.1");
    benchmark::DoNotOptimize(result);
  }
  if (std::holds_alternative<aip::authn::AuthFailure>(auth->Check(key, ""))) state.SkipWithError("the key was refused");
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ApiKeyCheck);

}  // namespace
