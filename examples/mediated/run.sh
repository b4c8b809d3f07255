#!/usr/bin/env bash
# The mediated story, end to end on loopback: an orchestrator agent asks "will it rain during my
# next meeting?" through the gateway, which holds a separate API key for the calendar and the
# weather server (the agent holds none); then a call outside the agent's project is denied, a
# replayed request is refused, an off-the-shelf MCP client (the official TypeScript SDK) calls
# through `aip proxy` as the agent, and the audit log is verified (and a tampered copy is not).
#   examples/mediated/run.sh [BIN_DIR]     (default build/bin)
set -euo pipefail
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "timed out waiting for $2 in $1" >&2; cat "$1" >&2; exit 1; }
export AIP_PASSPHRASE=demo-passphrase

step "Identities: the gateway and the orchestrator agent each have their own key"
AIP_HOME="$work/gateway-home" "$bin/aip" init --name gateway > /dev/null
AIP_HOME="$work/agent-home" "$bin/aip" init --name orchestrator > /dev/null
gateway_did=$(AIP_HOME="$work/gateway-home" "$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
agent_did=$(AIP_HOME="$work/agent-home" "$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
echo "gateway:      $gateway_did"
echo "orchestrator: $agent_did"

step "Two upstream MCP servers, each requiring its own API key"
calendar_key=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
weather_key=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
cal_port=$(free_port); wx_port=$(free_port); gw_port=$(free_port)
CALENDAR_API_KEY=$calendar_key "$bin/example-calendar-server" --http "127.0.0.1:$cal_port" --api-key-env CALENDAR_API_KEY \
  --record-requests "$work/calendar-requests.jsonl" 2> "$work/calendar.log" & pids+=($!)
WEATHER_API_KEY=$weather_key AIP_HOME="$work/agent-home" "$bin/example-weather-server" --http "127.0.0.1:$wx_port" \
  --api-key-env WEATHER_API_KEY --accept-proof --record-requests "$work/weather-requests.jsonl" 2> "$work/weather.log" & pids+=($!)
wait_for "$work/calendar.log" "listening on"
wait_for "$work/weather.log" "listening on"
printf 'without a key, the calendar answers HTTP %s\n' \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
     -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' "http://127.0.0.1:$cal_port/mcp")"
: > "$work/calendar-requests.jsonl"   # From here on, every request the calendar sees comes from the gateway.

step "The gateway holds both keys (and only it does)"
sed -e "s|@GATEWAY_PORT@|$gw_port|; s|@CALENDAR_URL@|http://127.0.0.1:$cal_port/mcp|; s|@WEATHER_URL@|http://127.0.0.1:$wx_port/mcp|" \
    -e "s|@AGENT_DID@|$agent_did|g; s|@BIN@|$bin|" "$here/gateway.toml" > "$work/gateway.toml"
CALENDAR_API_KEY=$calendar_key WEATHER_API_KEY=$weather_key "$bin/aip" gateway check-config "$work/gateway.toml"
(cd "$work" && CALENDAR_API_KEY=$calendar_key WEATHER_API_KEY=$weather_key AIP_HOME="$work/gateway-home" \
  exec "$bin/aip" gateway --config "$work/gateway.toml" 2> "$work/gateway.log") & pids+=($!)
wait_for "$work/gateway.log" '"event":"listening"'
url="http://127.0.0.1:$gw_port/mcp"
echo "gateway at $url"

step "The orchestrator asks: will it rain during my next meeting?"
AIP_HOME="$work/agent-home" "$bin/example-orchestrator" "$url"
if grep -q "$calendar_key\|$weather_key" "$work/agent-home"/* 2>/dev/null; then echo "the agent saw an API key" >&2; exit 1; fi
python3 - "$work" "$calendar_key" "$weather_key" "$agent_did" "$gateway_did" <<'PY'
import json, sys
work, cal, wx, agent, gateway = sys.argv[1:]
def requests(f):
    return [json.loads(l) for l in open(f"{work}/{f}")]
def seen(f):
    return [r["headers"] for r in requests(f)]
calls = [json.loads(r["body"]) for r in requests("weather-requests.jsonl") if '"tools/call"' in r["body"]]
meta = calls[-1]["params"]["_meta"]
assert meta["dev.aip/caller"]["did"] == agent, meta
assert meta["dev.aip/proof"]["verificationMethod"].startswith(gateway), meta
print(f"the weather server got the call signed by the gateway, for the orchestrator {agent[:24]}...")
c, w = seen("calendar-requests.jsonl"), seen("weather-requests.jsonl")
assert all(h.get("x-api-key") == cal for h in c), "calendar got another key"
assert all(h.get("x-api-key") == wx for h in w), "weather got another key"
assert not any("authorization" in h or "cookie" in h for h in c + w)
print(f"calendar saw only its own key on {len(c)} requests; weather only its own on {len(w)}; neither saw the other's")
PY

step "The agent may list project A's tasks, not project B's"
export AIP_HOME="$work/agent-home"
"$bin/aip" call "$url" tasks.list_tasks --args '{"project":"project-a"}' | head -c 120; echo
set +e
"$bin/aip" call "$url" tasks.list_tasks --args '{"project":"project-b"}'
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "expected project B to be denied" >&2; exit 1; }

step "An off-the-shelf client (the official TypeScript SDK, no aip code) through aip proxy, as the agent"
node_dir="$here/../../tests/node"
if [ -x "$node_dir/node_modules/.bin/node" ]; then
  ln -s "$(cd "$node_dir" && pwd)/node_modules" "$work/node_modules"
  cp "$here/off_the_shelf_client.mjs" "$work/"
  echo "(its configuration: command \"aip\", args [\"proxy\", \"$url\"] — see docs/proxy.md)"
  "$node_dir/node_modules/.bin/node" "$work/off_the_shelf_client.mjs" "$bin/aip" "$url"
else
  echo "skipped: the TypeScript SDK is not installed (scripts/install-deps.sh installs it)"
fi

step "A captured request, sent again, is refused as a replay"
"$bin/aip" call "$url" calendar.next_meeting --print-request > /dev/null 2> "$work/request.txt"
python3 - "$work/request.txt" "$url" <<'PY'
import sys, urllib.request
text = open(sys.argv[1]).read()
last = text.strip().split("\n\nPOST ")[-1]
head, body = last.split("\n\n", 1)
headers = dict(l.split(": ", 1) for l in head.split("\n")[1:])
req = urllib.request.Request(sys.argv[2], data=body.strip().split("\n")[0].encode(), headers=headers, method="POST")
try:
    urllib.request.urlopen(req)
    sys.exit("the replay was accepted")
except urllib.error.HTTPError as e:
    print(f"replayed request: HTTP {e.code}: {e.read().decode()[:160]}")
    assert e.code == 401
PY

step "The audit log verifies; an edited copy does not"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true   # A clean stop writes a final checkpoint.
tail -n 3 "$work/audit.jsonl" | cut -c1-200
"$bin/aip" audit verify "$work/audit.jsonl" --signer "$gateway_did"
sed '3s/"decision":"deny"/"decision":"allow"/; 3s/"decision":"allow"/"decision":"deny"/' "$work/audit.jsonl" > "$work/edited.jsonl"
set +e
"$bin/aip" audit verify "$work/edited.jsonl" --signer "$gateway_did"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "expected the edited audit log to fail verification" >&2; exit 1; }
echo "mediated story complete"
