#!/usr/bin/env bash
# Signed vs unsigned tools/call over HTTP keep-alive, same server binary, side by side: the cost
# of verifying every call (parse, JCS, SHA-256, Ed25519, replay check) at full load.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
export AIP_HOME="$work/home"

start() {  # start FLAGS...: sets SERVER_URL
  local log="$work/log.$RANDOM"
  "$bin/example-tasks-server" --http 127.0.0.1:0 "$@" > /dev/null 2> "$log" &
  pids+=($!)
  for _ in $(seq 100); do SERVER_URL=$(grep -o 'http://[0-9.:]*/mcp' "$log" | head -1); [ -n "$SERVER_URL" ] && return 0; sleep 0.05; done
  return 1
}

start || exit 1
unsigned=$(MCP_VERSION=2026-07-28 MCP_METHOD=tools/call MCP_NAME=list_tasks MCP_PROJECT=project-a \
  MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' \
  wrk -t1 -c32 -d"${secs}s" -s "$here/mcp_post.lua" "$SERVER_URL" | grep '^BENCH')
start --require-proof || exit 1
"$bin/make_signed_requests" 60000 "$SERVER_URL" > "$work/signed.jsonl"
signed=$(SIGNED_REQUESTS="$work/signed.jsonl" wrk -t1 -c32 -d"${secs}s" -s "$here/mcp_signed_post.lua" "$SERVER_URL" | grep '^BENCH')
rm -rf "$work"
echo "== signed vs unsigned tools/call over HTTP, wrk -t1 -c32 ${secs}s, loopback =="
printf '%-34s %10s %9s %9s %8s\n' mode calls/s p50_us p99_us bad
printf '%-34s %10s %9s %9s %8s\n' "unsigned" "$(field "$unsigned" calls_per_s)" "$(field "$unsigned" p50_us)" "$(field "$unsigned" p99_us)" "$(field "$unsigned" bad)"
printf '%-34s %10s %9s %9s %8s\n' "signed (--require-proof)" "$(field "$signed" calls_per_s)" "$(field "$signed" p50_us)" "$(field "$signed" p99_us)" "$(field "$signed" bad)"
