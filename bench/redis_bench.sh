#!/usr/bin/env bash
# The price of sharing state: signed tools/call through three gateways alternated ROUNDS times
# (default 3) in one run — replay cache and rate limits in memory ("memory"), the replay cache
# in Redis ("replay"), both in Redis ("both") — at one connection (latency) and at 32
# (throughput). All carry the same [[limit]] (wide enough never to refuse), so they do the same
# work but for where the state lives. Measured in the same run: a loopback Redis round trip
# (PING, one connection) as the yardstick for the added latency, each gateway's CPU time per
# call, and Redis's own. On one small machine Redis takes its CPU time from the gateway, wrk and
# the upstream; where Redis runs on a host of its own, the gateway's CPU per call is what bounds
# its calls/s, so that ratio is printed too. Every answer is checked; each run sends requests
# signed for it alone.
set -uo pipefail
default_secs=3
. "$(dirname "$0")/lib.sh"
. "$here/gateway_lib.sh"
command -v redis-server >/dev/null || { echo "redis-server missing: run scripts/install-deps.sh"; exit 1; }
rounds=${ROUNDS:-3}
kinds="memory replay both"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!
wait_port "$redis_port" || { echo "redis-server did not start"; exit 1; }

start_upstream
limit='[[limit]]
id = "per-agent"
rate = 1000000
burst = 1000000
targets = ["list_tasks"]'
replay="[replay]
store = \"redis://127.0.0.1:$redis_port/0\""
buckets="[rate_limits]
store = \"redis://127.0.0.1:$redis_port/0\""
# GATEWAY_SETTINGS: more [gateway] settings for all three (say "busy_poll_us = 0").
start_gateway memory "$bin/aip" "${GATEWAY_SETTINGS:-}
$limit"
start_gateway replay "$bin/aip" "${GATEWAY_SETTINGS:-}
$replay
$limit"
start_gateway both "$bin/aip" "${GATEWAY_SETTINGS:-}
$replay
$buckets
$limit"

for g in $kinds; do
  port_var=gw_port_$g
  for round in $(seq "$rounds"); do
    signed_requests "$work/$g-$round-1.jsonl" 40000 "http://127.0.0.1:${!port_var}/mcp"
    signed_requests "$work/$g-$round-32.jsonl" 120000 "http://127.0.0.1:${!port_var}/mcp"
  done
done
# store_time GATEWAY: its Redis commands so far and their total time, as it measured them.
store_time() {
  local port_var=gw_port_$1
  curl -s "http://127.0.0.1:${!port_var}/metrics" |
    awk '/^aip_gateway_store_command_seconds_sum/ { s += $2 } /^aip_gateway_store_command_seconds_count/ { n += $2 } END { print n + 0, s + 0 }'
}
: > "$work/runs.txt"
for round in $(seq "$rounds"); do
  for c in 1 32; do
    for g in $kinds; do
      port_var=gw_port_$g pid_var=gw_pid_$g
      s0=$(store_time "$g"); g0=$(cpu_s "${!pid_var}"); r0=$(cpu_s "$redis_pid")
      r=$(SIGNED_REQUESTS="$work/$g-$round-$c.jsonl" wrk -t1 -c"$c" -d"${secs}s" -s "$here/mcp_signed_post.lua" \
            "http://127.0.0.1:${!port_var}/mcp" | grep '^BENCH')
      echo "$g $c $(field "$r" p50_us) $(field "$r" calls_per_s) $(field "$r" requests) $(field "$r" bad)" \
           "$g0 $(cpu_s "${!pid_var}") $r0 $(cpu_s "$redis_pid") $s0 $(store_time "$g")" >> "$work/runs.txt"
    done
  done
done
# The yardstick: one PING at a time on one connection, as the gateway's commands go.
rtt_us=$(redis-benchmark -p "$redis_port" -c 1 -n 20000 -t ping --csv 2>/dev/null |
  python3 -c 'import csv,sys; rows=[r for r in csv.reader(sys.stdin)]; print(float(rows[-1][4]) * 1000)')
echo "== signed tools/call: replay cache and rate limits in memory vs in Redis (loopback, ${secs}s runs, $rounds rounds, alternating) =="
python3 - "$work/runs.txt" "$rtt_us" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    g, c, p50, cps, n, bad, g0, g1, r0, r1, sn0, st0, sn1, st1 = line.split()
    n = max(1, int(n))
    rows.setdefault((g, c), []).append(dict(
        p50=int(p50), cps=int(cps), bad=int(bad), gw_cpu=1e6 * (float(g1) - float(g0)) / n,
        redis_cpu=1e6 * (float(r1) - float(r0)) / n, cmds=(float(sn1) - float(sn0)) / n,
        cmd_us=1e6 * (float(st1) - float(st0)) / max(1.0, float(sn1) - float(sn0))))
rtt = float(sys.argv[2])
med = lambda g, c, k: statistics.median(r[k] for r in rows[(g, c)])
bad = sum(r["bad"] for v in rows.values() for r in v)
print(f"  {'state':7} {'p50 c=1':>9} {'calls/s c=32':>13} {'gw CPU/call':>12} {'Redis CPU/call':>15} {'cmds/call':>10} {'cmd time c=1':>13}")
for g in ("memory", "replay", "both"):
    print(f"  {g:7} {med(g, '1', 'p50'):7.0f}us {med(g, '32', 'cps'):13.0f} {med(g, '32', 'gw_cpu'):10.1f}us "
          f"{med(g, '32', 'redis_cpu'):13.1f}us {med(g, '32', 'cmds'):10.2f} {med(g, '1', 'cmd_us'):11.0f}us")
print(f"  Redis round trip (PING, c=1, p50): {rtt:.0f} us")
for g in ("replay", "both"):
    added = med(g, "1", "p50") - med("memory", "1", "p50")
    ratio = med(g, "32", "cps") / med("memory", "32", "cps")
    cpu_ratio = med("memory", "32", "gw_cpu") / med(g, "32", "gw_cpu")
    print(f"  {g:7} calls/s ratio {ratio:.2f} (target >= 0.8); with Redis on its own host (gateway CPU/call) {cpu_ratio:.2f}; "
          f"added p50 {added:.0f} us = {added / rtt:.2f} x round trip (target <= 1.5)")
print(f"  answers not a result: {bad} (must be 0)")
PY
