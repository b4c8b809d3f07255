#!/usr/bin/env bash
# A signing shim written from docs/protocol.md alone, around the official TypeScript SDK client,
# against example-tasks-server --require-proof --sign-results.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_node_tools
server=$(realpath "${1:?usage: signed_client_test.sh PATH/TO/example-tasks-server}")
export AIP_HOME=$(mktemp -d)/server
unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE
"${2:?usage: signed_client_test.sh SERVER AIP}" init --name server > /dev/null
log=$(mktemp)
"$server" --http 127.0.0.1:0 --require-proof --sign-results > /dev/null 2> "$log" &
pids+=($!)
for _ in $(seq 100); do SERVER_URL=$(grep -o 'http://[0-9.:]*/mcp' "$log" | head -1); [ -n "$SERVER_URL" ] && break; sleep 0.05; done
cd "$NODE_DIR" && timeout 120 "$NODE" signed_client_test.mjs "$SERVER_URL"
