#!/usr/bin/env bash
# The trust story in a few seconds, on loopback, in a temporary folder removed afterwards:
# a registry starts; four agents register; Alice (the server operator's anchor) vouches for Bob,
# Bob for Carol; a gateway kept current from the registry ([trust] registry, sync_every) admits
# Carol's signed call because her score from Alice is at least 0.5, and refuses Dave, who has no
# path; Bob revokes his vouch and publishes it; within the sync interval Carol is refused,
# nobody having run a command on the gateway. Exits non-zero if any outcome differs.
#
# Usage: examples/trust/run.sh BIN_DIR   (make demo runs it)
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
AIP="$bin/aip"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE AIP_REGISTRY
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { local shown=("$@"); [ "$1" = "$AIP" ] && shown[0]=aip; printf '$ %s\n' "${shown[*]}"; "$@"; }
as() { export AIP_HOME="$work/$1"; }
fail() { echo "trust example: $*" >&2; exit 1; }
wait_for() {  # wait_for FILE REGEX: the first match of REGEX's group in FILE (5 s at most)
  for _ in $(seq 100); do
    if m=$(grep -oE "$2" "$1" 2>/dev/null | head -1) && [ -n "$m" ]; then echo "$m"; return 0; fi
    sleep 0.05
  done
  cat "$1" >&2; return 1
}
did_of() { AIP_HOME="$work/$1" "$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])'; }

step "1. A registry starts, and four agents register with it"
mkdir -p "$work/registry"
AIP_HOME="$work/registry-home" "$AIP" registry serve --listen 127.0.0.1:0 --db "sqlite:$work/registry/registry.db" \
  > "$work/registry.log" 2>&1 &
pids+=($!)
port=$(wait_for "$work/registry.log" '"event":"registry_listening".*"port":[0-9]+' | grep -oE '[0-9]+$')
registry="http://127.0.0.1:$port"
for name in alice bob carol dave; do
  as "$name"
  "$AIP" init --name "$name" > /dev/null
  run "$AIP" register --registry "$registry"
done
alice=$(did_of alice) bob=$(did_of bob) carol=$(did_of carol)

step "2. Alice vouches for Bob, Bob for Carol (each vouch signed, scoped to the tasks tools, published)"
as alice
run "$AIP" vouch "$bob" --scope 'tools:tasks.*' --weight 0.9 --out "$work/alice-bob.json" --publish --registry "$registry"
as bob
run "$AIP" vouch "$carol" --scope 'tools:tasks.*' --weight 0.9 --out "$work/bob-carol.json" --publish --registry "$registry" 2> "$work/bob-vouch.txt"
cat "$work/bob-vouch.txt"
bob_vouch=$(grep -oE 'sha256:[0-9a-f]{64}' "$work/bob-vouch.txt" | head -1)

step "3. A gateway whose operator trusts Alice, kept current from the registry every second"
key=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
UPSTREAM_KEY=$key "$bin/example-tasks-server" --http 127.0.0.1:0 --api-key-env UPSTREAM_KEY > /dev/null 2> "$work/tasks.log" &
pids+=($!)
tasks=$(wait_for "$work/tasks.log" 'http://[0-9.:]+/mcp')
gw_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/gateway.toml" <<CONF
[gateway]
listen = "127.0.0.1:$gw_port"

[trust]
db = "$work/gateway-trust.db"
anchors = ["$alice"]
registry = "$registry"
sync_every = "1s"

[[upstream]]
name = "tasks"
url = "$tasks"
credential = { type = "header", header = "X-Api-Key", from_env = "UPSTREAM_KEY" }

[[rule]]
id = "trusted-agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
require = { trust = { min = 0.5, scope = "tools:tasks.*" } }
CONF
sed -n '/\[trust\]/,/sync_every/p;/\[\[rule\]\]/,$p' "$work/gateway.toml"
AIP_HOME="$work/gateway-home" "$AIP" init --name gateway > /dev/null  # The gateway's own key signs its audit log.
AIP_HOME="$work/gateway-home" UPSTREAM_KEY=$key "$AIP" gateway --config "$work/gateway.toml" > /dev/null 2> "$work/gateway.log" &
pids+=($!)
wait_for "$work/gateway.log" '"event":"listening"' > /dev/null
gateway="http://127.0.0.1:$gw_port/mcp"
call() {  # call AGENT: a signed tools/call through the gateway; prints aip's answer
  AIP_HOME="$work/$1" "$AIP" call "$gateway" tasks.list_tasks --args '{"project":"project-a"}' 2>&1
}
eventually() {  # eventually AGENT WANT(ok|refused): retries for 5 s while the gateway syncs
  local out rc
  for _ in $(seq 25); do
    set +e; out=$(call "$1"); rc=$?; set -e
    if { [ "$2" = ok ] && [ $rc -eq 0 ]; } || { [ "$2" = refused ] && [ $rc -ne 0 ]; }; then echo "$out"; return 0; fi
    sleep 0.2
  done
  echo "$out"; return 1
}

step "4. Carol calls through the gateway: Alice → Bob → Carol, 0.9 × 0.9 = 0.81 ≥ 0.5, admitted"
echo "\$ aip call $gateway tasks.list_tasks --args '{\"project\":\"project-a\"}'   # as carol"
eventually carol ok || fail "carol was not admitted"

step "5. Dave, with no vouch path from Alice, is refused with the reason"
echo "\$ aip call $gateway tasks.list_tasks ...   # as dave"
set +e; out=$(call dave); rc=$?; set -e
echo "$out"
[ $rc -ne 0 ] && grep -q "trust" <<<"$out" || fail "dave was not refused for lack of trust"

step "6. Bob revokes his vouch for Carol and publishes it; nobody touches the gateway"
as bob
run "$AIP" revoke "$bob_vouch" --out "$work/revocation.json" --publish --registry "$registry"
echo "(waiting for the gateway's next sync)"
eventually carol refused || fail "carol was still admitted after the revocation"
grep -o '"event":"trust_sync"[^}]*' "$work/gateway.log" | tail -1

step "7. The Trust Observatory shows the graph"
python3 - "$registry" <<'PY'
import json, sys, urllib.request
stats = json.load(urllib.request.urlopen(sys.argv[1] + "/v1/stats", timeout=5))
print(f"{sys.argv[1]}/  (open it in a browser while the registry runs)")
print("counts:", json.dumps({k: v for k, v in stats.items() if not isinstance(v, (dict, list))}))
PY
printf '\nTrust story complete: admitted by a vouch path, refused without one, refused again after a published revocation.\n'
