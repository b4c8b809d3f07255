#!/usr/bin/env bash
# The registry's throughput and trust-query latency (bench/registry_bench.cc) on SQLite and on a
# throwaway PostgreSQL cluster on 127.0.0.1, one after the other in the same run.
set -euo pipefail
bin=${1:-build/bin}
here=$(cd "$(dirname "$0")" && pwd)
regs=${REGISTRY_BENCH_REGISTRATIONS:-3000}
vouches=${REGISTRY_BENCH_VOUCHES:-3000}
agents=${REGISTRY_BENCH_AGENTS:-100000}
queries=${REGISTRY_BENCH_QUERIES:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== registry (HTTP API on loopback, server and clients sharing the cores) =="
# The registry logs each registration on stderr: kept aside, shown only on failure.
"$bin/registry_bench" "sqlite:$work/registry.db" "$regs" "$vouches" "$agents" "$queries" 2> "$work/sqlite.log" || { tail -20 "$work/sqlite.log"; exit 1; }
python3 - "$bin" "$regs" "$vouches" "$agents" "$queries" <<PY
import os, subprocess, sys
sys.path.insert(0, "$here/../tests/registry")
import postgres
c = postgres.Cluster()
try:
    rc = subprocess.run([os.path.join(sys.argv[1], "registry_bench"), c.database("bench"), *sys.argv[2:]],
                        stderr=subprocess.PIPE, text=True)
    if rc.returncode != 0:
        print(rc.stderr[-3000:])
    rc = rc.returncode
finally:
    c.stop()
sys.exit(rc)
PY
