#!/usr/bin/env bash
# Our client (the `aip tools` / `aip call` commands) against the official reference server
# @modelcontextprotocol/server-everything, over stdio and Streamable HTTP.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_node_tools
AIP=${1:?usage: everything_test.sh PATH/TO/aip}
passed=0 failed=0
expect() {  # expect PATTERN -- CMD...
  local pattern=$1; shift 2
  local out
  out=$("$@" 2>&1)
  if [ $? -eq 0 ] && grep -qE -- "$pattern" <<<"$out"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $* -> $out"; fi
}
# aip signs every request; a server that knows nothing of aip ignores the proof in _meta.
export AIP_HOME=$(mktemp -d)/home
unset AIP_PRIVATE_KEY AIP_DID
"$AIP" init --name interop > /dev/null
stdio_cmd="$NODE $EVERYTHING stdio"
expect "echo — Echoes back" -- "$AIP" tools --stdio "$stdio_cmd" --audience urn:example:everything
# As README writes it: no --audience, so unsigned, with a note (the reference server checks nothing).
expect "echo — Echoes back" -- "$AIP" tools --stdio "$stdio_cmd"
expect "Echo: hello over stdio" -- "$AIP" call --stdio "$stdio_cmd" echo --args '{"message":"hello over stdio"}' --audience urn:example:everything
expect "The sum of 2 and 40 is 42" -- "$AIP" call --stdio "$stdio_cmd" get-sum --args '{"a":2,"b":40}' --no-sign

port=$(free_port)
PORT=$port "$NODE" "$EVERYTHING" streamableHttp > /dev/null 2>&1 &
pids+=($!)
wait_port "$port" || { echo "server-everything did not start"; exit 1; }
url="http://127.0.0.1:$port/mcp"
expect "13 tool\(s\)|tool\(s\):" -- "$AIP" tools "$url"
expect "Echo: hello over http" -- "$AIP" call "$url" echo --args '{"message":"hello over http"}'
expect "\"structuredContent\"" -- "$AIP" call "$url" get-structured-content --args '{"location":"New York"}' --json
expect "progress: .*\"progress\":" -- "$AIP" call "$url" trigger-long-running-operation --args '{"duration":1,"steps":2}'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
