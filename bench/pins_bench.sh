#!/usr/bin/env bash
# tools/list through aip gateway with tool integrity on and off, side by side in one run: one
# upstream (example-tasks-server signing its definitions), two gateways — "plain" (no pins, no
# signature checks) and "pinned" (pin = "tofu", signed definitions required from the server's
# DID, and the listing re-fetched and screened every second, the worst case) — each loaded by wrk
# (-t1 -c32) in turn, twice, alternating. Every answer is checked: HTTP 200, a result, no error,
# and the tool tasks.list_tasks in it. The target: pinned/plain calls/s >= 0.9.
set -uo pipefail
default_secs=5
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'cleanup; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
export AIP_HOME="$work/home" AIP_PASSPHRASE=bench
"$bin/aip" init --name bench-server > /dev/null
did=$("$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
"$bin/example-tasks-server" --http 127.0.0.1:0 --sign-definitions > /dev/null 2> "$work/up.log" &
pids+=($!)
for _ in $(seq 100); do up=$(grep -o 'http://[0-9.:]*/mcp' "$work/up.log" | head -1); [ -n "$up" ] && break; sleep 0.05; done

start() {  # start NAME UPSTREAM_SETTINGS: a gateway in front of the upstream; sets port_NAME.
  local port
  port=$(free_port)
  cat > "$work/$1.toml" <<CONF
[gateway]
listen = "127.0.0.1:$port"
[audit]
path = "$work/audit-$1.jsonl"
fsync = "checkpoint"
[pins]
file = "$work/pins-$1.json"
[[upstream]]
name = "tasks"
url = "$up"
$2
[[rule]]
id = "anyone"
effect = "allow"
kinds = ["anonymous"]
CONF
  "$bin/aip" gateway --config "$work/$1.toml" > /dev/null 2> "$work/$1.log" &
  pids+=($!)
  printf -v "port_$1" '%s' "$port"
  wait_port "$port" || { echo "gateway $1 did not start"; cat "$work/$1.log"; exit 1; }
  for _ in $(seq 100); do grep -q '"event":"listening"' "$work/$1.log" && break; sleep 0.05; done
}
start plain ""
start pinned "pin = \"tofu\"
signer = \"$did\"
refresh = \"1s\""

run_wrk() {
  EXPECT_IN_BODY='"tasks.list_tasks"' MCP_VERSION=2026-07-28 MCP_METHOD=tools/list \
    MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' \
    wrk -t1 -c32 -d"${secs}s" --timeout 5s -s "$here/mcp_post.lua" "http://127.0.0.1:$1/mcp" 2>&1 | grep '^BENCH'
}
declare -A runs
for round in 1 2; do
  for mode in plain pinned; do
    port_var="port_$mode"
    runs[$mode-$round]=$(run_wrk "${!port_var}")
  done
done
screens=$(grep -c '"event":"definition_' "$work/pinned.log" || true)
echo "== tools/list through aip gateway: tool integrity off vs on (wrk -t1 -c32, ${secs}s x 2 each, loopback) =="
printf '%-8s %12s %12s %9s %9s %6s\n' gateway "calls/s(1)" "calls/s(2)" p50_us p99_us bad
for mode in plain pinned; do
  printf '%-8s %12s %12s %9s %9s %6s\n' "$mode" "$(field "${runs[$mode-1]}" calls_per_s)" "$(field "${runs[$mode-2]}" calls_per_s)" \
    "$(field "${runs[$mode-2]}" p50_us)" "$(field "${runs[$mode-2]}" p99_us)" \
    "$(( $(field "${runs[$mode-1]}" bad) + $(field "${runs[$mode-2]}" bad) ))"
done
python3 - "$(field "${runs[plain-1]}" calls_per_s)" "$(field "${runs[plain-2]}" calls_per_s)" \
  "$(field "${runs[pinned-1]}" calls_per_s)" "$(field "${runs[pinned-2]}" calls_per_s)" <<'PY'
import sys
p1, p2, q1, q2 = (float(x or 0) for x in sys.argv[1:5])
plain, pinned = (p1 + p2) / 2, (q1 + q2) / 2
print(f"ratio pinned/plain (mean of the two rounds): {pinned / plain if plain else 0:.3f}   (target >= 0.9)")
PY
echo "pinned gateway: definition changes or refusals logged during the run: $screens (expected 0)"
