#!/usr/bin/env bash
# packages/aip-mcp as a user installs it: `npm pack`, the tarball unpacked into a fresh
# node_modules beside the official SDK, then
#  - its unit tests (RFC 8785, did:key, the worked example of docs/protocol.md byte for byte);
#  - its client (SignedClientTransport) -> example-tasks-server --require-proof, and -> aip gateway;
#  - `aip call` -> a TypeScript SDK server using its verifier (aipAuth), which greets the DID;
#  - its client <-> that server;
#  - the same forged and misused requests refused with the same status and reason by the C++
#    server and by the TypeScript verifier.
# Usage: ts_package_test.sh BIN_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_node_tools
bin=$(realpath "${1:?usage: ts_package_test.sh BIN_DIR}")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1 ${3:-}"; fi; }

# Install from the packed tarball, exactly what `npm pack` ships.
(cd "$root/packages/aip-mcp" && PATH="$NODE_DIR/node_modules/.bin:$PATH" npm pack --silent --pack-destination "$work" > /dev/null)
tarball=$(ls "$work"/aip-mcp-*.tgz)
mkdir -p "$work/app/node_modules/@aip/mcp" "$work/app/test"
tar xzf "$tarball" -C "$work/app/node_modules/@aip/mcp" --strip-components=1
ln -s "$NODE_DIR/node_modules/@modelcontextprotocol" "$work/app/node_modules/@modelcontextprotocol"
cp "$root/packages/aip-mcp/test/"*.mjs "$work/app/test/"
cp "$NODE_DIR"/ts_signed_server.mjs "$NODE_DIR"/ts_signed_client.mjs "$NODE_DIR"/ts_refusals.mjs "$work/app/"
check "the tarball holds the sources, the types and no tests" \
  '[ -f "$work/app/node_modules/@aip/mcp/src/index.d.ts" ] && [ ! -e "$work/app/node_modules/@aip/mcp/test" ]'

cd "$work/app"
out=$(AIP_SOURCE_ROOT="$root" AIP_SHARED_TESTDATA="$root/../shared/testdata" "$NODE" --test test/*.test.mjs 2>&1)
check "the package's unit tests" '[[ "$out" == *"# fail 0"* ]]' "$out"
grep -o '\[vectors\][^"]*' <<< "$out" | sort -u

export AIP_HOME="$work/agent" AIP_PASSPHRASE=unused
unset AIP_PRIVATE_KEY AIP_DID
"$bin/aip" init --name ts-agent > /dev/null
agent_did=$("$bin/aip" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')

# The package's client against the C++ server that requires proofs.
start_aip_server "$bin/example-tasks-server" || exit 1  # SERVER_URL: the gateway's upstream.
log=$(mktemp -p "$work")
"$bin/example-tasks-server" --http 127.0.0.1:0 --require-proof > /dev/null 2> "$log" &
pids+=($!)
for _ in $(seq 100); do cxx_url=$(grep -o 'http://[0-9.:]*/mcp' "$log" | head -1); [ -n "$cxx_url" ] && break; sleep 0.05; done
r=$("$NODE" ts_signed_client.mjs "$cxx_url" list_tasks '{"project":"project-a"}' 2>&1)
check "TS client -> example-tasks-server --require-proof" '[[ "$r" == *"\"tasks\""* && "$r" != *"\"error\""* ]]' "$r"

# ... and through aip gateway, as the agent (a rule names its DID).
gw_home="$work/gw"
AIP_HOME="$gw_home" "$bin/aip" init --name gw > /dev/null
cat > "$work/gateway.toml" <<TOML
[gateway]
listen = "127.0.0.1:0"
[[upstream]]
name = "tasks"
url = "$SERVER_URL"
[[rule]]
id = "ts-agent"
effect = "allow"
agents = ["$agent_did"]
targets = ["list_tasks"]
TOML
AIP_HOME="$gw_home" "$bin/aip" gateway --config "$work/gateway.toml" > /dev/null 2> "$work/gw.log" &
pids+=($!)
for _ in $(seq 200); do gw_url=$(grep -o '"url":"http://[0-9.:]*/mcp"' "$work/gw.log" | head -1 | cut -d'"' -f4); [ -n "$gw_url" ] && break; sleep 0.05; done
r=$("$NODE" ts_signed_client.mjs "$gw_url" tasks.list_tasks '{"project":"project-a"}' 2>&1)
check "TS client -> aip gateway, authorized as the agent" '[[ "$r" == *"\"tasks\""* && "$r" != *"\"error\""* ]]' "$r"

# A TypeScript SDK server using the package's verifier.
"$NODE" ts_signed_server.mjs > "$work/ts.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ts_url=$(grep -o 'http://[0-9.:]*/mcp' "$work/ts.log" | head -1); [ -n "$ts_url" ] && break; sleep 0.05; done
r=$("$bin/aip" call "$ts_url" whoami 2>&1)
check "aip call (C++) -> TS server with aipAuth: the handler sees the agent's DID" '[[ "$r" == *"hello $agent_did"* ]]' "$r"
r=$("$bin/aip" call "$ts_url" whoami --no-sign 2>&1)
check "an unsigned aip call is refused by the TS verifier (-31001)" '[[ "$r" == *"-31001"* ]]' "$r"
r=$("$NODE" ts_signed_client.mjs "$ts_url" whoami 2>&1)
check "TS client <-> TS server" '[[ "$r" == *"hello $agent_did"* ]]' "$r"

# The same refusals from both verifiers.
cxx=$("$NODE" ts_refusals.mjs "$cxx_url" modern 2>&1)
ts=$("$NODE" ts_refusals.mjs "$ts_url" legacy 2>&1)
expected='{"accepted":[200,"accepted"],"replayed":[401,"replayed_nonce"],"tampered":[401,"bad_signature"],"wrong_audience":[401,"wrong_audience"],"expired":[401,"expired"],"unsigned":[401,"missing_proof"]}'
check "the C++ server's refusals" '[ "$cxx" = "$expected" ]' "$cxx"
check "the TypeScript verifier's refusals are the same" '[ "$ts" = "$expected" ]' "$ts"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
