#!/usr/bin/env bash
# Runs the benchmarks pinned to one core and prints the figures with their targets. Medians of
# repeated runs, measured side by side in one process: these machines are noisy.
set -euo pipefail
bin=${1:-build/bin}
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true --benchmark_format=json)
$pin "$bin/crypto_benchmark" "${common[@]}" --benchmark_min_time=0.3 > "$out/crypto.json"
$pin "$bin/json_benchmark" "${common[@]}" --benchmark_min_time=0.3 > "$out/json.json"
$pin "$bin/signed_call_benchmark" "${common[@]}" --benchmark_min_time=0.5 > "$out/signed.json"
$pin "$bin/apikey_benchmark" "${common[@]}" --benchmark_min_time=0.3 > "$out/apikey.json"
$pin "$bin/jose_benchmark" "${common[@]}" --benchmark_min_time=0.3 > "$out/jose.json"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
rows = {}
for f in ("crypto", "json", "signed", "apikey", "jose"):
    for b in json.load(open(f"{d}/{f}.json"))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rows[b["run_name"]] = b
def ns(name): return rows[name]["real_time"] if rows[name]["time_unit"] == "ns" else rows[name]["real_time"] * 1000
def mbs(name): return rows[name]["bytes_per_second"] / 1e6
print("== aip foundation benchmarks (medians of 5, one core) ==")
print(f"Ed25519 sign (1 KiB)                 {ns('BM_AipEd25519Sign')/1000:8.1f} us  ({1e9/ns('BM_AipEd25519Sign'):8.0f}/s)")
ours, raw = ns('BM_AipEd25519Verify'), ns('BM_RawSodiumEd25519Verify')
print(f"Ed25519 verify, aip (1 KiB)          {ours/1000:8.1f} us  ({1e9/ours:8.0f}/s)")
print(f"Ed25519 verify, raw libsodium        {raw/1000:8.1f} us  ({1e9/raw:8.0f}/s)")
print(f"  ratio aip/raw                      {ours/raw:8.3f}     (target <= 1.05)")
print(f"SHA-256 (1 KiB)                      {mbs('BM_Sha256_1KiB'):8.0f} MB/s")
print(f"Strict JSON parse (1 KB MCP request) {mbs('BM_StrictParse'):8.0f} MB/s  (Boost.JSON unchecked: {mbs('BM_BoostParseUnchecked'):.0f} MB/s)")
print(f"JCS canonicalize (parsed value)      {mbs('BM_Canonicalize'):8.0f} MB/s  (target >= 150)")
print(f"Strict parse + JCS                   {mbs('BM_ParseAndCanonicalize'):8.0f} MB/s")
v, r = ns('BM_VerifySignedRequest'), ns('BM_RawEd25519Verify')
print(f"Signed-call verify pipeline (1 KB)   {v/1000:8.1f} us  ({1e9/v:8.0f}/s)")
print(f"Raw Ed25519 verify, same bytes       {r/1000:8.1f} us")
print(f"  ratio pipeline/raw                 {v/r:8.3f}     (target <= 1.3)")
lg = ns('BM_VerifyLegacyHeaders')
print(f"Python AIP X-AIP headers, verified   {lg/1000:8.1f} us  ({lg/r:.2f} raw verifies; a keyring agent's whole DID document")
print(f"                                                  costs {ns('BM_ResolveKeyringDocument')/1000:.1f} us more per call when resolved each time)")
print(f"API key check (1 of 1,000 keys)      {ns('BM_ApiKeyCheck')/1000:8.2f} us     (target <= 2)")
j, jr = ns('BM_JwtVerifyEdDSAUncached'), ns('BM_RawEd25519VerifyJwtInput')
print(f"JWT (EdDSA) verify, uncached         {j/1000:8.1f} us  raw Ed25519 on its input {jr/1000:.1f} us")
print(f"  ratio JWT/raw                      {j/jr:8.3f}     (target <= 1.2)")
print(f"Bearer token, cached (seen before)   {ns('BM_BearerTokenCached')/1000:8.2f} us     (target <= 3)")
PY
echo
bash "$(dirname "$0")/mcp_http_bench.sh" "$bin"
echo
bash "$(dirname "$0")/signed_http_bench.sh" "$bin"
echo
bash "$(dirname "$0")/gateway_bench.sh" "$bin"
echo
bash "$(dirname "$0")/pins_bench.sh" "$bin"
echo
bash "$(dirname "$0")/redis_bench.sh" "$bin"
echo
bash "$(dirname "$0")/anchor_bench.sh" "$bin"
echo
bash "$(dirname "$0")/proxy_bench.sh" "$bin"
echo
bash "$(dirname "$0")/ts_package_bench.sh" "$bin"
echo
"$bin/trust_bench" ${TRUST_BENCH_AGENTS:-1000000} ${TRUST_BENCH_VOUCHES:-10000000} 1000
echo
bash "$(dirname "$0")/registry_bench.sh" "$bin"
echo
bash "$(dirname "$0")/soak.sh" "$bin"
