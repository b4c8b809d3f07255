// Strict JSON parsing and RFC 8785 canonicalization of a ~1 KB MCP tools/call request (MB/s).
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>

#include "aip/base/jcs.h"
#include "aip/base/json.h"

namespace {

const std::string& Request() {
  static const std::string r =
      R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"create_task",)"
      R"("arguments":{"project":"project-a","title":"Prepare the quarterly report for the finance team",)"
      R"("priority":3,"tags":["finance","q3","report","urgent"],"due":"2026-12-01T17:00:00Z","estimate_hours":7.5,)"
      R"("assignee":{"name":"Dana Smith","email":"dana@example.com","team":"finance-ops"},)"
      R"("notes":"Include revenue by region, cost breakdown, and the variance against plan. Use the new template.",)"
      R"("checklist":[{"item":"gather data","done":false},{"item":"draft","done":false},{"item":"review","done":false}]},)"
      R"("_meta":{"progressToken":"tok-7","io.github.aip/proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022",)"
      R"("created":"2026-11-22T10:00:00Z","expires":"2026-11-22T10:05:00Z","verificationMethod":)"
      R"("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",)"
      R"("proofPurpose":"authentication","domain":"https://tasks.example.com/mcp","challenge":"k3J9x2mQ8vR4tL7w",)"
      R"("proofValue":"z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"}}}})";
  return r;
}

void BM_StrictParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(aip::json::ParseJson(Request()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Request().size()));
}
BENCHMARK(BM_StrictParse);

void BM_BoostParseUnchecked(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(boost::json::parse(Request()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Request().size()));
}
BENCHMARK(BM_BoostParseUnchecked);

void BM_Canonicalize(benchmark::State& state) {
  auto v = aip::json::ParseJson(Request());
  for (auto _ : state) benchmark::DoNotOptimize(aip::json::Canonicalize(*v));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Request().size()));
}
BENCHMARK(BM_Canonicalize);

void BM_ParseAndCanonicalize(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(aip::json::CanonicalizeText(Request()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Request().size()));
}
BENCHMARK(BM_ParseAndCanonicalize);

}  // namespace
