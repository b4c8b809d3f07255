#!/usr/bin/env bash
# aip on several instances, end to end on loopback: one PostgreSQL and one Redis, two gateways
# and two registry instances behind Debian's nginx (round robin), all started here and stopped
# on exit. Then, through the load balancer: an agent's signed calls served by both gateways and
# its captured request refused as a replay by each; a rate limit that holds across both; an API
# key revoked once and refused by both within a second; a 2025-era session of the official
# TypeScript SDK client continuing across both gateways; a registration written through one
# registry instance and read through the other; every audit log verified.
#   examples/cluster/run.sh [BIN_DIR]     (default build/bin)
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"   # PostgreSQL runs as its own user and needs to reach its folder.
pids=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$work/pg/data" ] && as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "timed out waiting for $2 in $1" >&2; cat "$1" >&2; exit 1; }
fail() { echo "FAILED: $*" >&2; exit 1; }
export AIP_PASSPHRASE=cluster-passphrase
[ -n "$pg_bin" ] && command -v redis-server > /dev/null && command -v nginx > /dev/null ||
  fail "needs PostgreSQL, Redis and nginx: run scripts/install-deps.sh"

step "The shared stores: PostgreSQL (API keys, registry) and Redis (replay cache, rate limits)"
pg_port=$(free_port); redis_port=$(free_port)
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work/pg"
as_pg "$pg_bin/initdb" -D "$work/pg/data" -A trust -U aip -E UTF8 > /dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$work/pg" start > /dev/null
for db in apikeys registry; do "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U aip -d postgres -c "CREATE DATABASE $db"; done
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > "$work/redis.log" 2>&1 & pids+=($!)
wait_for "$work/redis.log" "Ready to accept connections"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"

step "The upstream, and what every gateway instance shares: a session secret, the API-key hash key"
tasks_key=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
TASKS_KEY=$tasks_key "$bin/example-tasks-server" --http 127.0.0.1:0 --api-key-env TASKS_KEY 2> "$work/tasks.log" & pids+=($!)
wait_for "$work/tasks.log" "listening on"
tasks_url=$(grep -o 'http://[0-9.:]*/mcp' "$work/tasks.log" | head -1)
export AIP_SESSION_SECRET=$(head -c 32 /dev/urandom | base64)
apikeys_db="postgresql://aip@127.0.0.1:$pg_port/apikeys"
hash_key="$work/secrets/apikeys.hashkey"
apikey() { AIP_HOME="$work/admin" "$bin/aip" apikey "$@" --db "$apikeys_db" --hash-key-file "$hash_key"; }
reader_key=$(apikey create --name dashboard --scopes tasks:read)
echo "an API key made once, in PostgreSQL: ${reader_key:0:20}…"

step "Two gateways from one configuration (examples/cluster/gateway.toml), two registries, nginx"
gw_lb=$(free_port); reg_lb=$(free_port)
gw_ports=($(free_port) $(free_port)); reg_ports=($(free_port) $(free_port)); gateway_pids=()
public="http://127.0.0.1:$gw_lb/mcp"
for i in 0 1; do
  AIP_HOME="$work/gateway-$i" "$bin/aip" init --name "gateway-$i" > /dev/null
  sed -e "s|@PORT@|${gw_ports[$i]}|; s|@PUBLIC_URL@|$public|; s|@APIKEYS_DB@|$apikeys_db|; s|@HASH_KEY_FILE@|$hash_key|" \
      -e "s|@REDIS_PORT@|$redis_port|g; s|@AUDIT@|$work/audit-$i.jsonl|; s|@TASKS_URL@|$tasks_url|" \
      "$here/gateway.toml" > "$work/gateway-$i.toml"
  TASKS_KEY=$tasks_key AIP_HOME="$work/gateway-$i" "$bin/aip" gateway --config "$work/gateway-$i.toml" 2> "$work/gateway-$i.log" &
  pids+=($!); gateway_pids+=($!)
  AIP_HOME="$work/registry-$i" "$bin/aip" registry serve --listen "127.0.0.1:${reg_ports[$i]}" \
    --db "postgresql://aip@127.0.0.1:$pg_port/registry" --public-url "http://127.0.0.1:$reg_lb" \
    --trusted-proxy 127.0.0.1 --rate-limit-store "redis://127.0.0.1:$redis_port/1" 2> "$work/registry-$i.log" & pids+=($!)
done
for i in 0 1; do wait_for "$work/gateway-$i.log" '"event":"listening"'; wait_for "$work/registry-$i.log" registry_listening; done
mkdir -p "$work/nginx"
sed -e "s|@WORK@|$work|g; s|@GATEWAY_1@|${gw_ports[0]}|; s|@GATEWAY_2@|${gw_ports[1]}|; s|@GATEWAY_LB@|$gw_lb|" \
    -e "s|@REGISTRY_1@|${reg_ports[0]}|; s|@REGISTRY_2@|${reg_ports[1]}|; s|@REGISTRY_LB@|$reg_lb|" \
    "$here/nginx.conf" > "$work/nginx/nginx.conf"
"$(command -v nginx)" -c "$work/nginx/nginx.conf" -p "$work/nginx" 2> "$work/nginx.log" & pids+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$gw_lb/healthz" && break; sleep 0.05; done
echo "gateways at $public (instances :${gw_ports[0]} :${gw_ports[1]}); registries at http://127.0.0.1:$reg_lb"

calls_on() {  # calls_on INSTANCE: tools/call requests that gateway instance answered so far.
  curl -s "http://127.0.0.1:${gw_ports[$1]}/metrics" |
    awk '/^aip_gateway_requests_total\{method="tools\/call"/ { n += $2 } END { print n + 0 }'
}

step "An agent's signed calls through the load balancer land on both gateways"
export AIP_HOME="$work/agent"
"$bin/aip" init --name agent > /dev/null
for i in 1 2 3 4; do "$bin/aip" call "$public" tasks.list_tasks --args '{"project":"project-a"}' > /dev/null; done
echo "4 calls served: $(calls_on 0) by gateway 1, $(calls_on 1) by gateway 2"
[ "$(calls_on 0)" -ge 1 ] && [ "$(calls_on 1)" -ge 1 ] || fail "one gateway served everything"

step "A captured request, sent again to either gateway, is refused as a replay"
"$bin/aip" call "$public" tasks.list_tasks --args '{"project":"project-a"}' --print-request > /dev/null 2> "$work/request.txt"
python3 - "$work/request.txt" "http://127.0.0.1:${gw_ports[0]}/mcp" "http://127.0.0.1:${gw_ports[1]}/mcp" <<'PY'
import json, sys, urllib.request
text = open(sys.argv[1]).read()
head, body = text.strip().split("\n\nPOST ")[-1].split("\n\n", 1)
headers = dict(l.split(": ", 1) for l in head.split("\n")[1:])
for url in sys.argv[2:]:
    req = urllib.request.Request(url, data=body.strip().split("\n")[0].encode(), headers=headers, method="POST")
    try:
        urllib.request.urlopen(req)
        sys.exit(f"the replay was accepted by {url}")
    except urllib.error.HTTPError as e:
        reason = json.loads(e.read())["error"]["data"]["reason"]
        print(f"replayed to {url}: HTTP {e.code} {reason}")
        assert e.code == 401 and reason == "replayed_nonce", reason
PY

step "Three creations a minute per agent, counted once for both gateways"
for i in 1 2 3 4; do
  if "$bin/aip" call "$public" tasks.create_task --args "{\"project\":\"project-a\",\"title\":\"task $i\"}" > /dev/null 2> "$work/create.err"; then
    echo "create_task $i: served"
  else
    echo "create_task $i: $(tail -1 "$work/create.err")"
    [ "$i" = 4 ] && grep -q "rate" "$work/create.err" || fail "call $i refused: $(cat "$work/create.err")"
  fi
done
unset AIP_HOME

step "An API key revoked once is refused by both gateways within a second"
key_call() {  # key_call INSTANCE: HTTP status of a call with the dashboard key on that gateway.
  curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    -H "x-api-key: $reader_key" -H 'mcp-protocol-version: 2026-07-28' -H 'mcp-method: tools/call' -H 'mcp-name: tasks.list_tasks' \
    -H 'mcp-param-project: project-a' "http://127.0.0.1:${gw_ports[$1]}/mcp" \
    -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tasks.list_tasks","arguments":{"project":"project-a"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
}
echo "before: gateway 1 answers $(key_call 0), gateway 2 answers $(key_call 1)"
[ "$(key_call 0)$(key_call 1)" = 200200 ] || fail "the key does not work on both gateways"
apikey revoke "$(cut -d_ -f2 <<< "$reader_key")" > /dev/null
start=$(date +%s%N)
until [ "$(key_call 0)$(key_call 1)" = 401401 ]; do
  [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ] || fail "the revocation did not reach both gateways in 3 s"
  sleep 0.05
done
echo "after revoke: both answer 401, $(( ($(date +%s%N) - start) / 1000000 )) ms later"

step "The official TypeScript SDK client keeps one 2025-era session across both gateways"
node="$here/../../tests/node/node_modules/.bin/node"
if [ -x "$node" ]; then
  session_key=$(apikey create --name sdk-client --scopes tasks:read)
  sleep 1.2   # Both gateways pick the new key up within refresh.
  before=$(( $(calls_on 0) + $(calls_on 1) ))
  API_KEY=$session_key "$node" "$here/../../tests/node/sdk_cluster_test.mjs" "$public" 6 | sed 's/^session \(.\{24\}\).*/session \1… (sealed)/'
  echo "its 6 calls: gateway 1 now at $(calls_on 0), gateway 2 at $(calls_on 1) (together $(( $(calls_on 0) + $(calls_on 1) - before )) more)"
else
  echo "skipped: the TypeScript SDK is not installed (scripts/install-deps.sh installs it)"
fi

step "The registry: written through one instance, read through the other"
export AIP_HOME="$work/agent"
"$bin/aip" register --registry "http://127.0.0.1:$reg_lb" --description "an agent of the cluster example"
did=$("$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
for port in "${reg_ports[@]}"; do
  curl -sf "http://127.0.0.1:$port/v1/agents/$did" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("instance", sys.argv[1], "has", d["did"][:32] + "…:", d["description"])' "$port"
done
unset AIP_HOME

step "Every gateway's audit log verifies"
kill -TERM "${gateway_pids[@]}"   # A clean stop writes a final checkpoint.
for p in "${gateway_pids[@]}"; do wait "$p" 2>/dev/null || true; done
for i in 0 1; do
  signer=$(AIP_HOME="$work/gateway-$i" "$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
  "$bin/aip" audit verify "$work/audit-$i.jsonl" --signer "$signer"
done
step "The systemd units in examples/cluster/systemd are well formed"
if command -v systemd-analyze > /dev/null; then
  for unit in aip-gateway aip-registry; do
    sed "s|/usr/bin/aip|$bin/aip|" "$here/systemd/$unit.service" > "$work/$unit.service"
    systemd-analyze verify "$work/$unit.service" && echo "$unit.service: ok"
  done
else
  echo "skipped: systemd-analyze is not installed"
fi
echo
echo "cluster example: all steps passed"
