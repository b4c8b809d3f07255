#!/usr/bin/env bash
# Installs everything aip needs to build, test, fuzz and benchmark, from Debian packages
# (the benchmark's Python anchor — FastAPI, uvicorn, PyNaCl — runs on Debian's /usr/bin/python3)
# (and, for the interop tests, from npm). Idempotent: a fast no-op when all is present.
# Runs as root, or through sudo when it is available.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates curl openssl
  libssl-dev libsodium-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libpq-dev libhiredis-dev
  libjemalloc-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev clang-format-14
  postgresql redis-server wrk nghttp2-client nginx-light chromium
  python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-nacl
  help2man dpkg-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "install-deps: need root or sudo to install: ${packages[*]}" >&2; exit 3
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# npm test tools (the official MCP SDK, reference server, conformance suite, Node 22) live in a
# project-local folder so nothing global changes. Installed only when the lock of versions changed.
# The registry's web UI ships a graph library from npm (web/registry), compiled into the binary.
root=$(cd "$(dirname "$0")/.." && pwd)
for tools in "$root/tests/node" "$root/web/registry"; do
  [ -f "$tools/package.json" ] || continue
  stamp="$tools/node_modules/.aip-installed"
  if [ ! -f "$stamp" ] || [ "$tools/package.json" -nt "$stamp" ]; then
    echo "install-deps: installing npm packages into ${tools#"$root"/}"
    (cd "$tools" && npm install --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  else
    echo "install-deps: npm packages present in ${tools#"$root"/}"
  fi
done
