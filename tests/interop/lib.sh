# Helpers for interop tests: project-local Node 22, and servers on free loopback ports that are
# stopped when the test exits.
NODE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"
NODE="$NODE_DIR/node_modules/.bin/node"
EVERYTHING="$NODE_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT

need_node_tools() {
  if [ ! -x "$NODE" ] || [ ! -f "$EVERYTHING" ]; then
    echo "interop tools missing: run scripts/install-deps.sh (installs tests/node)" >&2
    exit 1
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_aip_server BINARY: starts an aip example server on a free port (in this shell, so it is
# stopped on exit) and sets SERVER_URL.
start_aip_server() {
  local bin=$1 log
  log=$(mktemp)
  "$bin" --http 127.0.0.1:0 > /dev/null 2> "$log" &
  pids+=($!)
  for _ in $(seq 100); do
    SERVER_URL=$(grep -o 'http://[0-9.:]*/mcp' "$log" | head -1)
    [ -n "$SERVER_URL" ] && return 0
    sleep 0.05
  done
  echo "server did not start: $(cat "$log")" >&2
  return 1
}

# wait_port PORT: waits until something listens on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 200); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
