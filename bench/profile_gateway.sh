#!/usr/bin/env bash
# Where the gateway's CPU goes: `perf record` on the gateway while wrk sends signed tools/call at
# 32 connections (the setup of gateway_bench.sh), then the top of `perf report`. Needs perf.
# Usage: bash bench/profile_gateway.sh [build/bin] [report lines]
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$here/gateway_lib.sh"
command -v perf > /dev/null || { echo "perf missing"; exit 1; }
start_upstream
start_gateway main "$bin/aip"
signed_requests "$work/req.jsonl" 120000 "http://127.0.0.1:$gw_port_main/mcp"
perf record -F 2000 -o "$work/perf.data" -p "$gw_pid_main" -- sleep "$secs" > /dev/null 2>&1 &
perf_pid=$!
SIGNED_REQUESTS="$work/req.jsonl" wrk -t1 -c32 -d"${secs}s" -s "$here/mcp_signed_post.lua" "http://127.0.0.1:$gw_port_main/mcp" | grep '^BENCH'
wait "$perf_pid"
perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2> /dev/null | grep -v "^#" | grep "%" | sed "s/  */ /g" | cut -c1-110 | head -"${2:-60}"
perf report -i "$work/perf.data" --no-children --sort dso --stdio 2> /dev/null | grep "%" | sed "s/  */ /g" | head -12
