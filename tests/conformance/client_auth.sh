#!/usr/bin/env bash
# Runs the official MCP conformance suite's client authorization scenarios against `aip call`:
# the auth suite at both eras (2025-11-25 and 2026-07-28), then each 2026-07-28 authorization
# scenario outside that suite (resource mismatch, offline access, authorization server
# migration, RFC 9207 iss checks, metadata issuer mismatch) and the client-credentials extension
# scenario — all against the expected-failures file client-auth.yml.
# Usage: client_auth.sh AIP_BINARY
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../interop/lib.sh"
need_node_tools
aip=$(realpath "${1:?usage: client_auth.sh AIP_BINARY}")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
conformance() {
  PATH="$NODE_DIR/node_modules/.bin:$PATH" timeout 300 "$NODE_DIR/node_modules/.bin/conformance" client \
    --command "bash $here/auth_client.sh $aip" --expected-failures "$here/client-auth.yml" "$@"
}
status=0
for rev in 2025-11-25 2026-07-28; do
  echo "== client --suite auth --spec-version $rev =="
  conformance --suite auth --spec-version "$rev" -o "$out/$rev" > "$out/$rev.log" 2>&1
  rc=$?
  sed -n '/=== SUITE SUMMARY ===/,$p' "$out/$rev.log" | grep -E '^(✓|✗|Total|  -)' | head -40
  [ $rc -eq 0 ] || { status=1; echo "auth suite $rev: FAILED (exit $rc)"; tail -40 "$out/$rev.log"; }
done
echo "== 2026-07-28 authorization scenarios outside the auth suite, and client credentials =="
for s in resource-mismatch offline-access-scope offline-access-not-supported authorization-server-migration \
         iss-supported iss-not-advertised iss-supported-missing iss-wrong-issuer iss-unexpected iss-normalized \
         metadata-issuer-mismatch client-credentials-basic; do
  conformance --scenario "auth/$s" > "$out/$s.log" 2>&1
  rc=$?
  result=$(grep -E '^Passed:' "$out/$s.log" | head -1)
  if [ $rc -eq 0 ]; then echo "✓ auth/$s: $result"; else status=1; echo "✗ auth/$s: $result (exit $rc)"; grep -E 'FAILURE|WARNING' "$out/$s.log" | head -10; fi
done
exit $status
