#!/usr/bin/env bash
# The official TypeScript SDK client lists and calls tools on our example server (HTTP + stdio).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_node_tools
server=$(realpath "${1:?usage: sdk_client_test.sh PATH/TO/example-tasks-server}")
start_aip_server "$server" || exit 1
cd "$NODE_DIR" && timeout 120 "$NODE" sdk_client_test.mjs "$server" "$SERVER_URL"
