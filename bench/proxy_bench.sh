#!/usr/bin/env bash
# aip proxy's cost, side by side in one run: a signed tools/call to example-tasks-server
# --require-proof sent directly with a pre-signed proof (what `aip call` sends) against the same
# call sent unsigned to `aip proxy --listen`, which signs it afresh and forwards it — and, for
# scale, the pre-signed call through a plain nginx reverse proxy (one loopback hop, no signing).
# One connection, alternating rounds; every answer checked (HTTP 200 with a result). Target: the
# proxy adds at most 1.3 x one Ed25519 sign + 50 us at p50.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
export AIP_HOME="$work/home"
unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE
"$bin/aip" init --name bench-agent > /dev/null
rounds=${ROUNDS:-3}

"$bin/example-tasks-server" --http 127.0.0.1:0 --require-proof > /dev/null 2> "$work/up.log" &
pids+=($!)
for _ in $(seq 100); do up=$(grep -o 'http://[0-9.:]*/mcp' "$work/up.log" | head -1); [ -n "$up" ] && break; sleep 0.05; done
"$bin/aip" proxy "$up" --listen 127.0.0.1:0 --token-file "$work/token" > /dev/null 2> "$work/proxy.log" &
pids+=($!)
proxy_pid=$!
for _ in $(seq 200); do px=$(grep -o 'serving http://[0-9.:]*/mcp' "$work/proxy.log" | cut -d' ' -f2); [ -n "$px" ] && [ -s "$work/token" ] && break; sleep 0.05; done
[ -n "$px" ] || { echo "aip proxy did not start: $(cat "$work/proxy.log")"; exit 1; }
token=$(cat "$work/token")

nginx_port=$(free_port)
up_hostport=${up#http://}
start_nginx "$work/nginx" "$nginx_port" "${up_hostport%/mcp}"

declare -a direct proxied viangx
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
proxy_cpu=0 proxy_calls=0
for r in $(seq "$rounds"); do
  "$bin/make_signed_requests" 40000 "$up" > "$work/signed-$r.jsonl"
  direct+=("$(SIGNED_REQUESTS="$work/signed-$r.jsonl" wrk -t1 -c1 -d"${secs}s" -s "$here/proxy_post.lua" "$up" | grep '^BENCH')")
  "$bin/make_signed_requests" 40000 "$up" > "$work/nginx-$r.jsonl"
  viangx+=("$(SIGNED_REQUESTS="$work/nginx-$r.jsonl" wrk -t1 -c1 -d"${secs}s" -s "$here/proxy_post.lua" "http://127.0.0.1:$nginx_port/mcp" | grep '^BENCH')")
  c0=$(cpu_s "$proxy_pid")
  line=$(PROXY_TOKEN=$token wrk -t1 -c1 -d"${secs}s" -s "$here/proxy_post.lua" "$px" | grep '^BENCH')
  proxied+=("$line")
  proxy_cpu=$(awk -v a="$proxy_cpu" -v b="$c0" -v c="$(cpu_s "$proxy_pid")" 'BEGIN { print a + c - b }')
  proxy_calls=$((proxy_calls + $(field "$line" requests)))
done
sign_ns=$(taskset -c 0 "$bin/crypto_benchmark" --benchmark_filter='BM_AipEd25519Sign$' --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null |
  python3 -c 'import json,sys; print([b["real_time"] for b in json.load(sys.stdin)["benchmarks"] if b.get("aggregate_name")=="median"][0])')

echo "== aip proxy: signed tools/call, direct (pre-signed) vs through aip proxy --listen (signs each), c=1, ${secs}s x $rounds rounds =="
printf '%-6s %11s %10s %10s %12s %12s %5s\n' round direct_p50 nginx_p50 proxy_p50 nginx_added proxy_added bad
bad=0
adds=() nadds=()
for i in $(seq 0 $((rounds - 1))); do
  d=$(field "${direct[$i]}" p50_us) n=$(field "${viangx[$i]}" p50_us) p=$(field "${proxied[$i]}" p50_us)
  b=$(( $(field "${direct[$i]}" bad) + $(field "${viangx[$i]}" bad) + $(field "${proxied[$i]}" bad) ))
  bad=$((bad + b))
  adds+=($((p - d))) nadds+=($((n - d)))
  printf '%-6s %11s %10s %10s %+12d %+12d %5s\n' "$((i + 1))" "$d" "$n" "$p" "$((n - d))" "$((p - d))" "$b"
done
python3 - "$sign_ns" "$proxy_cpu" "$proxy_calls" "$bad" "${#adds[@]}" "${adds[@]}" "${nadds[@]}" <<'PY'
import statistics, sys
sign_us = float(sys.argv[1]) / 1000
cpu, calls, bad, n = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
added = statistics.median(map(float, sys.argv[6:6 + n]))
nginx_added = statistics.median(map(float, sys.argv[6 + n:]))
target = 1.3 * sign_us + 50
print(f"Ed25519 sign (1 KiB, one core, median): {sign_us:.1f} us")
print(f"added by aip proxy: p50 {added:+.0f} us (median of rounds; target <= 1.3 x sign + 50 = {target:.0f} us): "
      f"{'met' if added <= target else 'NOT met'}")
print(f"added by nginx (one hop, no signing): p50 {nginx_added:+.0f} us; the proxy minus nginx: {added - nginx_added:+.0f} us "
      f"= {(added - nginx_added) / sign_us:.1f} signs")
print(f"aip proxy CPU per call: {1e6 * cpu / max(1, calls):.0f} us ({cpu / max(1, calls) * 1e6 / sign_us:.2f} signs)")
print(f"answers that were not a 200 with a result: {bad}")
PY
