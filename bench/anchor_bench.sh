#!/usr/bin/env bash
# The Python anchor, side by side in one run at 32 connections: aip's standalone server
# (example-tasks-server --require-proof, a Data Integrity proof per call) and aip gateway (proof,
# policy, audit, forward) against FastAPI + uvicorn checking the Python AIP X-AIP-* headers with
# PyNaCl (bench/anchors/fastapi_aip.py, Debian's packages). Every request carries its own nonce;
# every answer is checked; the anchor must refuse a tampered request before it is measured.
# Targets: standalone >= 2.0x and gateway >= 1.3x the anchor's calls/s.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$here/gateway_lib.sh"
py=/usr/bin/python3
$py -c 'import fastapi, uvicorn, nacl, uvloop, httptools' 2>/dev/null || { echo "the anchor needs python3-fastapi python3-uvicorn python3-nacl python3-uvloop python3-httptools: run scripts/install-deps.sh"; exit 1; }
rounds=${ROUNDS:-3}

start_upstream
start_gateway main "$bin/aip"
"$bin/example-tasks-server" --http 127.0.0.1:0 --require-proof > /dev/null 2> "$work/standalone.log" &
pids+=($!)
for _ in $(seq 100); do standalone=$(grep -o 'http://[0-9.:]*/mcp' "$work/standalone.log" | head -1); [ -n "$standalone" ] && break; sleep 0.05; done
"$bin/aip" call "$standalone" list_tasks --args '{"project":"project-a"}' --json > "$work/result.json" ||
  { echo "cannot read the example server's answer"; exit 1; }

anchor_port=$(free_port)
seed=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
$py "$here/anchors/sign_legacy.py" 10 "$work/check.tsv" "$work/keys.json" "$seed"
$py "$here/anchors/fastapi_aip.py" "$anchor_port" "$work/keys.json" "$work/result.json" > "$work/anchor.log" 2>&1 &
pids+=($!)
wait_port "$anchor_port" || { echo "the anchor did not start"; cat "$work/anchor.log"; exit 1; }
anchor="http://127.0.0.1:$anchor_port/mcp"
# Before measuring: a genuine request is served, a tampered one (body changed) and a replay refused.
check=$($py - "$work/check.tsv" "$anchor" <<'PY'
import sys, urllib.request, urllib.error
lines = open(sys.argv[1]).read().splitlines()
did, (ts, nonce, sig, body) = lines[0], lines[1].split("\t", 3)
def post(b):
    req = urllib.request.Request(sys.argv[2], data=b.encode(), method="POST", headers={
        "content-type": "application/json", "x-aip-did": did, "x-aip-signature": sig, "x-aip-timestamp": ts, "x-aip-nonce": nonce})
    try:
        with urllib.request.urlopen(req) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
tampered = post(body.replace("project-a", "project-b"))
genuine = post(body)
replayed = post(body)
print(f"{genuine} {tampered} {replayed}")
PY
)
[ "$check" = "200 401 401" ] || { echo "the anchor must serve a genuine request and refuse a tampered or replayed one: got $check"; exit 1; }

declare -a a s g
for r in $(seq "$rounds"); do
  $py "$here/anchors/sign_legacy.py" 150000 "$work/legacy-$r.tsv" "$work/keys.json" "$seed"
  a+=("$(LEGACY_REQUESTS="$work/legacy-$r.tsv" wrk -t1 -c32 -d"${secs}s" -s "$here/legacy_post.lua" "$anchor" | grep '^BENCH')")
  "$bin/make_signed_requests" 150000 "$standalone" > "$work/standalone-$r.jsonl"
  s+=("$(SIGNED_REQUESTS="$work/standalone-$r.jsonl" wrk -t1 -c32 -d"${secs}s" -s "$here/proxy_post.lua" "$standalone" | grep '^BENCH')")
  gw="http://127.0.0.1:$gw_port_main/mcp"
  "$bin/make_signed_requests" 150000 "$gw" > "$work/gateway-$r.jsonl"
  g+=("$(SIGNED_REQUESTS="$work/gateway-$r.jsonl" wrk -t1 -c32 -d"${secs}s" -s "$here/proxy_post.lua" "$gw" | grep '^BENCH')")
done
pkill -f "fastapi_aip.py $anchor_port" 2>/dev/null  # Its forked workers too.

echo "== calls/s at 32 connections: aip vs the Python anchor (FastAPI + uvicorn + PyNaCl, X-AIP headers), ${secs}s x $rounds rounds =="
printf '%-6s %12s %12s %12s %6s\n' round anchor standalone gateway bad
bad=0
for i in $(seq 0 $((rounds - 1))); do
  b=$(( $(field "${a[$i]}" bad) + $(field "${s[$i]}" bad) + $(field "${g[$i]}" bad) ))
  bad=$((bad + b))
  printf '%-6s %12s %12s %12s %6s\n' "$((i + 1))" "$(field "${a[$i]}" calls_per_s)" "$(field "${s[$i]}" calls_per_s)" \
    "$(field "${g[$i]}" calls_per_s)" "$b"
done
python3 - "$bad" "$rounds" $(for i in $(seq 0 $((rounds - 1))); do echo "$(field "${a[$i]}" calls_per_s) $(field "${s[$i]}" calls_per_s) $(field "${g[$i]}" calls_per_s)"; done) <<'PY'
import statistics, sys
bad, n = int(sys.argv[1]), int(sys.argv[2])
v = list(map(float, sys.argv[3:]))
rs = [v[3 * i + 1] / v[3 * i] for i in range(n)]
rg = [v[3 * i + 2] / v[3 * i] for i in range(n)]
s, g = statistics.median(rs), statistics.median(rg)
print(f"standalone / anchor: {s:.2f}x (median of rounds; target >= 2.0): {'met' if s >= 2.0 else 'NOT met'}")
print(f"gateway / anchor:    {g:.2f}x (median of rounds; target >= 1.3): {'met' if g >= 1.3 else 'NOT met'}")
print(f"answers that were not a 200 with a result: {bad}")
PY
