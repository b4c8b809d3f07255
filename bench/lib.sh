# Shared by the HTTP load benchmarks (sourced): the binaries directory ($1, default build/bin),
# the run length (BENCH_SECONDS, default $default_secs), the loopback helpers, wrk, and `field`
# to read a value from wrk's BENCH line.
bin=${1:-build/bin}
secs=${BENCH_SECONDS:-${default_secs:-5}}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tests/interop/lib.sh"
command -v wrk >/dev/null || { echo "wrk missing: run scripts/install-deps.sh"; exit 1; }
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" <<<"$1"; }
