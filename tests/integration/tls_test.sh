#!/usr/bin/env bash
# The example server with --tls-cert/--tls-key serves MCP over HTTPS (TLS 1.2+): a client that
# trusts the certificate gets answers; plain HTTP to the TLS port gets nothing.
set -uo pipefail
server=${1:?usage: tls_test.sh PATH/TO/example-tasks-server}
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
chmod 600 "$work/key.pem"
"$server" --http 127.0.0.1:0 --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" 2> "$work/log" &
pid=$!
for _ in $(seq 100); do url=$(grep -o 'https://[0-9.:]*/mcp' "$work/log" | head -1); [ -n "$url" ] && break; sleep 0.05; done
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi; }
body='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
out=$(curl -s --cacert "$work/cert.pem" -X POST "$url" -H 'content-type: application/json' -H 'accept: application/json' -d "$body")
check "initialize over HTTPS" '[[ "$out" == *"example-tasks-server"* ]]'
out=$(curl -s --tlsv1.1 --tls-max 1.1 --cacert "$work/cert.pem" -X POST "$url" -H 'content-type: application/json' -d "$body" 2>&1)
check "TLS 1.1 refused" '[[ "$out" != *"example-tasks-server"* ]]'
plain=${url/https/http}
out=$(curl -s -m 3 -X POST "$plain" -H 'content-type: application/json' -d "$body" 2>&1)
check "plain HTTP on the TLS port gets no MCP answer" '[[ "$out" != *"example-tasks-server"* ]]'
check "server still up" 'kill -0 $pid'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
