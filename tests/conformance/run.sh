#!/usr/bin/env bash
# Runs the official MCP conformance suite (server mode, pinned in tests/node/package.json) against
# an aip example server, once per era, each with its expected-failures baseline.
# Usage: run.sh SERVER_BINARY BASELINE_PREFIX [AIP_BINARY [proxy]]
#   (baselines: <prefix>-2025-11-25.yml, -2026-07-28.yml). With AIP_BINARY the suite talks to
#   `aip gateway` fronting the server (allow-all development mode, names not namespaced); with
#   AIP_BINARY proxy, to `aip proxy --listen` in front of it, signing every request.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../interop/lib.sh"
need_node_tools
server=$(realpath "${1:?usage: run.sh SERVER_BINARY BASELINE_PREFIX}")
prefix=${2:?usage: run.sh SERVER_BINARY BASELINE_PREFIX}
start_aip_server "$server" || exit 1
out=$(mktemp -d)
if [ -n "${3:-}" ] && [ "${4:-}" = "proxy" ]; then
  # The suite through `aip proxy --listen` (signing every request) in front of the server; the
  # suite cannot send the proxy's token, so a loopback shim adds it.
  aip=$(realpath "$3")
  export AIP_HOME="$out/agent-home"
  unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE
  "$aip" init --name conformance-agent > /dev/null
  "$aip" proxy "$SERVER_URL" --listen 127.0.0.1:0 --token-file "$out/token" > /dev/null 2> "$out/proxy.log" &
  pids+=($!)
  proxy_url=
  for _ in $(seq 200); do
    proxy_url=$(grep -o 'serving http://[0-9.:]*/mcp' "$out/proxy.log" | head -1 | cut -d' ' -f2)
    [ -n "$proxy_url" ] && [ -s "$out/token" ] && break
    sleep 0.05
  done
  [ -n "$proxy_url" ] || { echo "aip proxy did not start: $(cat "$out/proxy.log")"; exit 1; }
  python3 "$here/token_shim.py" "$proxy_url" "$out/token" > "$out/shim.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do url=$(grep -o 'http://[0-9.:]*/mcp' "$out/shim.log" | head -1); [ -n "$url" ] && break; sleep 0.05; done
  echo "(through aip proxy at $proxy_url)"
  SERVER_URL=$url
elif [ -n "${3:-}" ]; then
  aip=$(realpath "$3")
  export AIP_HOME="$out/gateway-home" AIP_PASSPHRASE=conformance
  "$aip" init --name conformance-gateway > /dev/null
  printf '[gateway]\nlisten = "127.0.0.1:0"\nunsafe_allow_all = true\n[[upstream]]\nname = "server"\nurl = "%s"\nnamespaced = false\n' \
    "$SERVER_URL" > "$out/gateway.toml"
  "$aip" gateway --config "$out/gateway.toml" > /dev/null 2> "$out/gateway.log" &
  pids+=($!)
  url=
  for _ in $(seq 200); do
    url=$(grep -o '"url":"http://[0-9.:]*/mcp"' "$out/gateway.log" | head -1 | cut -d'"' -f4)
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "gateway did not start: $(cat "$out/gateway.log")"; exit 1; }
  echo "(through aip gateway at $url)"
  SERVER_URL=$url
fi
status=0
for rev in 2025-11-25 2026-07-28; do
  echo "== conformance $rev against $(basename "$server") =="
  PATH="$NODE_DIR/node_modules/.bin:$PATH" timeout 600 "$NODE_DIR/node_modules/.bin/conformance" server \
    --url "$SERVER_URL" --requirements "$rev" --expected-failures "$here/$prefix-$rev.yml" -o "$out/$rev" \
    > "$out/$rev.log" 2>&1
  rc=$?
  sed -n '/=== SUMMARY ===/,$p' "$out/$rev.log" | grep -E '^(Total|Baseline|Unexpected|Stale|  [✗~])' | head -80
  [ $rc -eq 0 ] || { status=1; echo "conformance $rev: FAILED (exit $rc); full log:"; tail -40 "$out/$rev.log"; }
done
rm -rf "$out"
exit $status
