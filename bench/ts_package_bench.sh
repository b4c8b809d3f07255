#!/usr/bin/env bash
# The TypeScript package's sign and verify per call beside the C++ verifier's, same request, same
# machine, one after the other (reported; no target). Usage: ts_package_bench.sh [BIN_DIR]
set -uo pipefail
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/interop/lib.sh"
need_node_tools
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
cxx=$($pin "$bin/signed_call_benchmark" --benchmark_filter='BM_VerifySignedRequest$' --benchmark_repetitions=5 \
  --benchmark_min_time=0.3 --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
  python3 -c 'import json,sys; print([b["real_time"] for b in json.load(sys.stdin)["benchmarks"] if b.get("aggregate_name")=="median"][0])')
sign=$($pin "$bin/crypto_benchmark" --benchmark_filter='BM_AipEd25519Sign$' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
  python3 -c 'import json,sys; print([b["real_time"] for b in json.load(sys.stdin)["benchmarks"] if b.get("aggregate_name")=="median"][0])')
ts=$($pin "$NODE" "$here/ts_package_bench.mjs")
python3 - "$cxx" "$sign" "$ts" <<'PY'
import re, sys
cxx_us, sign_us = float(sys.argv[1]) / 1000, float(sys.argv[2]) / 1000
ts = dict(re.findall(r"(\w+)=([\d.]+)", sys.argv[3]))
print("== signed request, per call: packages/aip-mcp (Node) vs the C++ library (one core, medians) ==")
print(f"verify (strict parse, proof checks, Ed25519, replay cache): TypeScript {float(ts['verify_us']):6.1f} us, "
      f"C++ {cxx_us:6.1f} us  ({float(ts['verify_us']) / cxx_us:.1f}x)")
print(f"sign   (JCS, two SHA-256, Ed25519; TS includes copying the request): TypeScript {float(ts['sign_us']):6.1f} us, "
      f"C++ raw Ed25519 sign of 1 KiB {sign_us:6.1f} us")
PY
