# Shared by the gateway load benchmarks (sourced after lib.sh): a work directory with an aip
# identity, the example tasks server as the upstream (it requires its own API key), gateways in
# front of it, pre-signed request files, and CPU time read from /proc.
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
export AIP_HOME="$work/home" AIP_PASSPHRASE=bench
"$bin/aip" init --name bench-gateway > /dev/null

# start_upstream: the example tasks server on a free port; sets key, up (its URL), up_port, up_pid.
start_upstream() {
  key=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  UPSTREAM_KEY=$key "$bin/example-tasks-server" --http 127.0.0.1:0 --api-key-env UPSTREAM_KEY > /dev/null 2> "$work/up.log" &
  pids+=($!)
  up_pid=$!
  for _ in $(seq 100); do up=$(grep -o 'http://[0-9.:]*/mcp' "$work/up.log" | head -1); [ -n "$up" ] && break; sleep 0.05; done
  up_port=${up##*:}; up_port=${up_port%/mcp}
}

# start_gateway NAME AIP_BINARY [GATEWAY_SETTINGS]: a gateway in front of the upstream (verify,
# policy, two audit lines, forward with the upstream's key), with extra [gateway] settings such
# as "busy_poll_us = 0"; sets gw_port_NAME and gw_pid_NAME. The audit log syncs at checkpoints
# (every 1,000 lines) unless AUDIT_FSYNC says otherwise (every_line, the gateway's default, or never);
# it rotates at AUDIT_ROTATE (default 256MiB).
start_gateway() {
  local name=$1 aip=$2 settings=${3:-} port
  port=$(free_port)
  cat > "$work/gateway-$name.toml" <<CONF
[gateway]
listen = "127.0.0.1:$port"
$settings

[audit]
path = "$work/audit-$name.jsonl"
fsync = "${AUDIT_FSYNC:-checkpoint}"
checkpoint_every = 1000
rotate_bytes = "${AUDIT_ROTATE:-256MiB}"
[[upstream]]
name = "tasks"
url = "$up"
namespaced = false
pool = 32
credential = { type = "header", header = "X-Api-Key", from_env = "UPSTREAM_KEY" }
[[rule]]
id = "agents-project-a"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
when = [ { pointer = "/project", op = "eq", value = "project-a" } ]
CONF
  UPSTREAM_KEY=$key "$aip" gateway --config "$work/gateway-$name.toml" > /dev/null 2> "$work/gateway-$name.log" &
  pids+=($!)
  printf -v "gw_pid_$name" '%s' "$!"
  printf -v "gw_port_$name" '%s' "$port"
  wait_port "$port" || { echo "gateway $name did not start"; cat "$work/gateway-$name.log"; exit 1; }
  for _ in $(seq 100); do grep -q '"event":"listening"' "$work/gateway-$name.log" && break; sleep 0.05; done
}

# signed_requests FILE COUNT URL: COUNT signed tools/call requests for URL, one per line. Each
# wrk run starts at the first line of its file and a nonce is accepted once, so every run gets
# a file of its own.
signed_requests() { "$bin/make_signed_requests" "$2" "$3" > "$1"; }

# cpu_s PID: CPU seconds the process used so far (user + system).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
