#!/usr/bin/env bash
# Soak: signed calls through the gateway for SOAK_SECONDS (default 600) at 80% of the rate
# measured first, while its audit log rotates (every 64 MiB). Every answer is checked. Prints the
# figures every 30 s, the gateway's RSS and open files at the start and the end, and verifies the
# rotated log series as one chain. Usage: bench/soak.sh [BIN_DIR]
set -eu
default_secs=10
. "$(dirname "$0")/lib.sh"
bin=$(cd "$bin" && pwd)
. "$here/gateway_lib.sh"
soak_secs=${SOAK_SECONDS:-600}
threads=${SOAK_THREADS:-16}
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }

start_upstream
AUDIT_ROTATE=64MiB start_gateway soak "$bin/aip"
url="http://127.0.0.1:$gw_port_soak/mcp"
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
open_files() { ls "/proc/$1/fd" | wc -l; }

echo "== soak: signed calls through the gateway, audit log rotating at 64 MiB =="
"$bin/soak_client" "$url" "$secs" 0 "$threads" "$secs" > "$work/max.txt" || { cat "$work/max.txt"; exit 1; }
max=$(sed -n 's/^total .* ok, .* errors, \([0-9]*\) calls\/s.*/\1/p' "$work/max.txt")
rate=$(( max * 8 / 10 ))
echo "maximum over ${secs} s: $max calls/s; soaking ${soak_secs} s at $rate calls/s ($threads threads)"
rss0=$(rss_kb "$gw_pid_soak"); fds0=$(open_files "$gw_pid_soak")
status=0
# The replay cache holds each nonce for its proof's lifetime (5 min here), so RSS rises for
# the first 5 minutes and must stay flat after: sampled every 30 s.
( while sleep 30; do echo "$(rss_kb "$gw_pid_soak") $(open_files "$gw_pid_soak")" >> "$work/samples"; done ) &
sampler=$!
"$bin/soak_client" "$url" "$soak_secs" "$rate" "$threads" 30 || status=$?
kill $sampler 2>/dev/null || true
rss1=$(rss_kb "$gw_pid_soak"); fds1=$(open_files "$gw_pid_soak")
echo "gateway RSS: start $rss0 KB, end $rss1 KB; open files: start $fds0, end $fds1"
[ -f "$work/samples" ] && echo "every 30 s (RSS KB, open files): $(tr '\n' ';' < "$work/samples")"
kill "$gw_pid_soak"; wait "$gw_pid_soak" 2>/dev/null || true
files=$(ls "$work"/audit-soak.jsonl* | grep -v '\.lock$')
echo "audit series: $(wc -l <<<"$files") files"
"$bin/aip" audit verify $files --signer "$("$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')" || status=1
exit $status
