# Shared by the HTTP load benchmarks (sourced): the binaries directory ($1, default build/bin),
# the run length (BENCH_SECONDS, default $default_secs), the loopback helpers, wrk, and `field`
# to read a value from wrk's BENCH line.
bin=${1:-build/bin}
secs=${BENCH_SECONDS:-${default_secs:-5}}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tests/interop/lib.sh"
command -v wrk >/dev/null || { echo "wrk missing: run scripts/install-deps.sh"; exit 1; }
field() { sed -n "s/.*$2=\([0-9]*\).*/\1/p" <<<"$1"; }

# start_nginx DIR PORT UPSTREAM_HOST:PORT [DIRECTIVES]: a plain nginx reverse proxy (one worker,
# keep-alive to the upstream, no buffering) on 127.0.0.1:PORT, its files in DIR; DIRECTIVES are
# added to its location (a header to set, say). The yardstick the relays are measured against.
start_nginx() {
  local dir=$1 port=$2 upstream=$3 extra=${4:-} nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx" ] || { echo "nginx missing: run scripts/install-deps.sh"; exit 1; }
  mkdir -p "$dir"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
error_log $dir/error.log;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir;
  upstream backend { server $upstream; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $upstream;
      proxy_buffering off;
      $extra
    }
  }
}
CONF
  "$nginx" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' 2> "$dir/stderr" &
  pids+=($!)
  nginx_pid=$!
  wait_port "$port" || { echo "nginx did not start"; cat "$dir/stderr"; exit 1; }
  nginx_worker=$(pgrep -P "$nginx_pid" | head -1)  # The one worker: where nginx spends its CPU.
}
