#!/usr/bin/env bash
# The client the conformance suite drives in its authorization scenarios: `aip call --login` on
# the scenario's server (the suite appends its URL), signing in through a headless browser, with
# this client's Client ID Metadata Document URL, and with the pre-registered client (id, secret,
# issuer) when the scenario's context (MCP_CONFORMANCE_CONTEXT) names one. The client-credentials
# extension scenario runs `aip call --client-id --client-secret-env` instead (no user).
# Usage: auth_client.sh AIP_BINARY SERVER_URL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
aip=$1
url=$2
field() {
  [ -n "${MCP_CONFORMANCE_CONTEXT:-}" ] || return 0
  python3 -c 'import json,os,sys; print(json.loads(os.environ["MCP_CONFORMANCE_CONTEXT"]).get(sys.argv[1], ""))' "$1"
}
id=$(field client_id)
secret=$(field client_secret)
issuer=$(field issuer)
args=(call "$url" test-tool --no-sign)
if [ "${MCP_CONFORMANCE_SCENARIO:-}" != auth/client-credentials-basic ]; then
  args+=(--login --login-timeout 20s --browser "python3 $here/headless_browser.py"
         --client-metadata-url https://conformance-test.local/client-metadata.json)
  [ -n "$issuer" ] && args+=(--client-issuer "$issuer")
fi
[ -n "$id" ] && args+=(--client-id "$id")
if [ -n "$secret" ]; then
  export CONFORMANCE_CLIENT_SECRET=$secret
  args+=(--client-secret-env CONFORMANCE_CLIENT_SECRET)
fi
AIP_HOME=$(mktemp -d)
export AIP_HOME
trap 'rm -rf "$AIP_HOME"' EXIT
"$aip" "${args[@]}"
