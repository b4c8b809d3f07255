#!/usr/bin/env bash
# Two gateway builds side by side: `bash bench/gateway_ab.sh OTHER_AIP [bin]` puts the gateway of
# OTHER_AIP (for example a build of the previous commit) and the one in bin/ in front of one
# upstream and alternates them, ROUNDS times (default 3), at one connection and at 32, each run
# BENCH_SECONDS long (default 3) with fresh signed requests. It prints every run and the medians
# of p50, p99, calls/s and the gateway's CPU per call: on a noisy machine only runs that alternate
# like this can tell a small change from the noise. OTHER_SETTINGS and THIS_SETTINGS add [gateway]
# settings to either side, CONNS sets the connection counts (default "1 32"): the same binary
# without and with busy polling (the default, 100 µs) is
#   OTHER_SETTINGS='busy_poll_us = 0' CONNS='1 2 4 8 32' ROUNDS=5 bash bench/gateway_ab.sh build/bin/aip
set -uo pipefail
other=${1:?usage: gateway_ab.sh OTHER_AIP [bin]}
shift
default_secs=3
. "$(dirname "$0")/lib.sh"
. "$here/gateway_lib.sh"
rounds=${ROUNDS:-3}
conns=${CONNS:-1 32}
start_upstream
start_gateway other "$other" "${OTHER_SETTINGS:-}"
start_gateway this "$bin/aip" "${THIS_SETTINGS:-}"
for g in other this; do
  port_var=gw_port_$g
  for round in $(seq "$rounds"); do
    for c in $conns; do signed_requests "$work/$g-$round-$c.jsonl" 40000 "http://127.0.0.1:${!port_var}/mcp"; done
  done
done
: > "$work/runs.txt"
for round in $(seq "$rounds"); do
  for c in $conns; do
    for g in other this; do
      port_var=gw_port_$g pid_var=gw_pid_$g
      c0=$(cpu_s "${!pid_var}")
      r=$(SIGNED_REQUESTS="$work/$g-$round-$c.jsonl" wrk -t1 -c"$c" -d"${secs}s" -s "$here/mcp_signed_post.lua" \
            "http://127.0.0.1:${!port_var}/mcp" | grep '^BENCH')
      c1=$(cpu_s "${!pid_var}")
      echo "$g $c $(field "$r" p50_us) $(field "$r" p99_us) $(field "$r" calls_per_s) $(field "$r" requests) $(field "$r" bad) $c0 $c1" >> "$work/runs.txt"
    done
  done
done
echo "== gateway A/B: other=$other ${OTHER_SETTINGS:-}, this=$bin/aip ${THIS_SETTINGS:-} (loopback, ${secs}s runs, $rounds rounds, alternating) =="
python3 - "$work/runs.txt" $conns <<'PY'
import statistics, sys
rows = {}
print(f"{'build':6} {'conns':>5} {'p50_us':>8} {'p99_us':>8} {'calls/s':>8} {'cpu_us/call':>11} {'bad':>6}")
for line in open(sys.argv[1]):
    g, c, p50, p99, cps, n, bad, c0, c1 = line.split()
    cpu = 1e6 * (float(c1) - float(c0)) / max(1, int(n))
    print(f"{g:6} {c:>5} {p50:>8} {p99:>8} {cps:>8} {cpu:>11.0f} {bad:>6}")
    rows.setdefault((g, c), []).append((int(p50), int(p99), int(cps), cpu))
print("medians:")
for c in sys.argv[2:]:
    for g in ("other", "this"):
        r = rows[(g, c)]
        print(f"  {g:6} c={c:<3} p50 {statistics.median(x[0] for x in r):7.0f} us  p99 {statistics.median(x[1] for x in r):7.0f} us  "
              f"{statistics.median(x[2] for x in r):7.0f} calls/s  {statistics.median(x[3] for x in r):5.0f} us CPU/call")
PY
