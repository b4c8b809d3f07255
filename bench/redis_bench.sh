#!/usr/bin/env bash
# The price of sharing state: signed tools/call through one gateway whose replay cache and rate
# limits are in memory, and through one whose are in Redis ([replay] store, [rate_limits] store),
# alternated ROUNDS times (default 3) in one run, at one connection (latency) and at 32
# (throughput). Both carry the same [[limit]] (wide enough never to refuse), so both do the same
# work but for where the state lives. A loopback Redis round trip (PING, one connection) is
# measured in the same run, as the yardstick for the added latency. Every answer is checked; each
# run sends requests signed for it alone.
set -uo pipefail
default_secs=3
. "$(dirname "$0")/lib.sh"
. "$here/gateway_lib.sh"
command -v redis-server >/dev/null || { echo "redis-server missing: run scripts/install-deps.sh"; exit 1; }
rounds=${ROUNDS:-3}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
wait_port "$redis_port" || { echo "redis-server did not start"; exit 1; }

start_upstream
limit='[[limit]]
id = "per-agent"
rate = 1000000
burst = 1000000
targets = ["list_tasks"]'
start_gateway memory "$bin/aip" "$limit"
start_gateway redis "$bin/aip" "[replay]
store = \"redis://127.0.0.1:$redis_port/0\"
[rate_limits]
store = \"redis://127.0.0.1:$redis_port/0\"
$limit"

for g in memory redis; do
  port_var=gw_port_$g
  for round in $(seq "$rounds"); do
    signed_requests "$work/$g-$round-1.jsonl" 40000 "http://127.0.0.1:${!port_var}/mcp"
    signed_requests "$work/$g-$round-32.jsonl" 120000 "http://127.0.0.1:${!port_var}/mcp"
  done
done
: > "$work/runs.txt"
for round in $(seq "$rounds"); do
  for c in 1 32; do
    for g in memory redis; do
      port_var=gw_port_$g
      r=$(SIGNED_REQUESTS="$work/$g-$round-$c.jsonl" wrk -t1 -c"$c" -d"${secs}s" -s "$here/mcp_signed_post.lua" \
            "http://127.0.0.1:${!port_var}/mcp" | grep '^BENCH')
      echo "$g $c $(field "$r" p50_us) $(field "$r" calls_per_s) $(field "$r" bad)" >> "$work/runs.txt"
    done
  done
done
# The yardstick: one PING at a time on one connection, as the gateway's commands go.
rtt_us=$(redis-benchmark -p "$redis_port" -c 1 -n 20000 -t ping --csv 2>/dev/null |
  python3 -c 'import csv,sys; rows=[r for r in csv.reader(sys.stdin)]; print(float(rows[-1][4]) * 1000)')
calls_in_redis=$(curl -s "http://127.0.0.1:$gw_port_redis/metrics" |
  awk '/^aip_gateway_store_command_seconds_count/ { n += $2 } END { print n + 0 }')
echo "== signed tools/call: replay cache and rate limits in memory vs in Redis (loopback, ${secs}s runs, $rounds rounds, alternating) =="
python3 - "$work/runs.txt" "$rtt_us" "$calls_in_redis" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    g, c, p50, cps, bad = line.split()
    rows.setdefault((g, c), []).append((int(p50), int(cps), int(bad)))
rtt = float(sys.argv[2])
med = lambda g, c, i: statistics.median(r[i] for r in rows[(g, c)])
bad = sum(r[2] for v in rows.values() for r in v)
for g in ("memory", "redis"):
    print(f"  {g:6}  p50 (c=1) {med(g, '1', 0):7.0f} us   calls/s (c=32) {med(g, '32', 1):7.0f}")
added = med("redis", "1", 0) - med("memory", "1", 0)
ratio = med("redis", "32", 1) / med("memory", "32", 1)
print(f"  Redis round trip (PING, c=1, p50)    {rtt:7.0f} us;  Redis commands sent: {sys.argv[3]}")
print(f"  calls/s ratio redis/memory           {ratio:7.2f}     (target >= 0.8)")
print(f"  added p50                            {added:7.0f} us  = {added / rtt:.2f} x round trip (target <= 1.5)")
print(f"  answers not a result                 {bad:7d}     (must be 0)")
PY
