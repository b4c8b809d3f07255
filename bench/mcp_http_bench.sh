#!/usr/bin/env bash
# tools/call over Streamable HTTP keep-alive on loopback, measured with wrk: aip's
# example-tasks-server vs the official @modelcontextprotocol/server-everything, side by side.
# Both servers and wrk share this machine's cores; wrk gets 1 thread and 32 connections.
set -uo pipefail
default_secs=8
. "$(dirname "$0")/lib.sh"
need_node_tools

run_wrk() { wrk -t1 -c32 -d"${secs}s" --timeout 5s -s "$here/mcp_post.lua" "$1" 2>&1 | grep '^BENCH' ; }

# aip, 2026-07-28 (stateless): no session, routing headers as the spec requires.
start_aip_server "$bin/example-tasks-server" || exit 1
aip_line=$(MCP_VERSION=2026-07-28 MCP_METHOD=tools/call MCP_NAME=list_tasks MCP_PROJECT=project-a \
  MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' \
  run_wrk "$SERVER_URL")

# server-everything, 2025-11-25 (its newest): initialize once, then call echo in that session.
port=$(free_port)
PORT=$port "$NODE" "$EVERYTHING" streamableHttp > /dev/null 2>&1 &
pids+=($!)
wait_port "$port" || { echo "server-everything did not start"; exit 1; }
url="http://127.0.0.1:$port/mcp"
sid=$(curl -s -D - -o /dev/null -X POST "$url" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' \
  | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
curl -s -o /dev/null -X POST "$url" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
  -H "mcp-session-id: $sid" -H 'mcp-protocol-version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
ev_line=$(MCP_SESSION=$sid MCP_VERSION=2025-11-25 \
  MCP_BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}' \
  run_wrk "$url")

echo "== tools/call over HTTP keep-alive, wrk -t1 -c32 ${secs}s, loopback =="
printf '%-42s %10s %9s %9s %8s\n' server calls/s p50_us p99_us bad
printf '%-42s %10s %9s %9s %8s\n' "aip example-tasks-server (2026-07-28)" "$(field "$aip_line" calls_per_s)" \
  "$(field "$aip_line" p50_us)" "$(field "$aip_line" p99_us)" "$(field "$aip_line" bad)"
printf '%-42s %10s %9s %9s %8s\n' "server-everything (2025-11-25)" "$(field "$ev_line" calls_per_s)" \
  "$(field "$ev_line" p50_us)" "$(field "$ev_line" p99_us)" "$(field "$ev_line" bad)"
a=$(field "$aip_line" calls_per_s); e=$(field "$ev_line" calls_per_s)
[ -n "$a" ] && [ -n "$e" ] && [ "$e" -gt 0 ] && python3 -c "print(f'ratio aip/server-everything: {$a/$e:.1f}x  (targets: >= 20000 calls/s, >= 5x)')"
