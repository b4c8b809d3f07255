"""Shared by the gateway's end-to-end tests: processes, checks, and MCP over HTTP on loopback.

Import it, call init(prefix) once, and finish() at the end (it stops every process started
through start() and removes the work folder).
"""
import json, os, re, select, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

BIN = os.path.abspath(sys.argv[1])
AIP = os.path.join(BIN, "aip")
# The project-local Node and the npm peers the tests use (tests/node, from scripts/install-deps.sh);
# a test given NODE_DIR as its second argument uses that one.
NODE_DIR = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node"))
NODE = os.path.join(NODE_DIR, "node_modules/.bin/node")
EVERYTHING = os.path.join(NODE_DIR, "node_modules/@modelcontextprotocol/server-everything/dist/index.js")
INSPECTOR_CLI = os.path.join(NODE_DIR, "node_modules/@modelcontextprotocol/inspector/cli/build/index.js")
work = None
procs = []
passed = failed = 0


def init(prefix):
    global work
    work = tempfile.mkdtemp(prefix=prefix)
    return work


def finish():
    """Stops what start() started, removes the work folder, prints the count; the exit code.

    Called from a `finally:` block: an exception on its way out (a test that crashed part way)
    is printed and counted as a failure, never swallowed by the sys.exit that follows."""
    global failed
    if sys.exc_info()[0] is not None:
        import traceback
        traceback.print_exc()
        failed += 1
        print("FAIL: the test stopped part way (above)", flush=True)
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    subprocess.run(["rm", "-rf", work])
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port

def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}", flush=True)


def run(args, env_extra=None, home=None):
    env = dict(os.environ, AIP_PASSPHRASE="test-pass")
    if home:
        env["AIP_HOME"] = home
    env.update(env_extra or {})
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def start(args, log, env):
    f = open(log, "w")
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=f, env=env, cwd=work)
    procs.append(p)
    return p


def start_redis(port, extra=()):
    """A redis-server of the test's own on 127.0.0.1:port (no persistence, noeviction unless
    `extra` says otherwise), once it answers PING."""
    p = start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--maxmemory-policy", "noeviction", *extra], os.path.join(work, f"redis-{port}.log"), dict(os.environ))
    deadline = time.time() + 10
    while time.time() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return p
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def wait_log(log, pattern, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, open(log).read())
        if m:
            return m
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {pattern!r} in {log}:\n{open(log).read()}")


def did_of(home):
    return json.loads(run([AIP, "did", "show", "--json"], home=home).stdout)["did"]


META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}


def post(url, method, params=None, headers=None, raw=None, name=None, context=None):
    """A modern-era request; returns (status, headers, parsed JSON-RPC response)."""
    params = dict(params or {})
    params.setdefault("_meta", META)
    body = raw if raw is not None else json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    h = {"content-type": "application/json", "accept": "application/json, text/event-stream",
         "mcp-protocol-version": "2026-07-28", "mcp-method": method}
    if name is not None:
        h["mcp-name"] = name
    elif "name" in params:
        h["mcp-name"] = params["name"]
    h.update(headers or {})
    req = urllib.request.Request(url, data=body, headers=h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            status, rh, text = r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        status, rh, text = e.code, dict(e.headers), e.read().decode()
    if text.startswith("event:") or "\ndata:" in text or text.startswith("data:"):
        msgs = [json.loads(l[5:]) for l in text.splitlines() if l.startswith("data:")]
        return status, rh, msgs[-1] if msgs else None
    try:
        return status, rh, json.loads(text)
    except ValueError:
        return status, rh, text


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def start_tasks_server(env):
    """example-tasks-server over HTTP: it needs the API key in $TASKS_KEY and records every
    request it gets (headers included). Returns its URL and the record file."""
    recorded = os.path.join(work, "tasks-requests.jsonl")
    log = os.path.join(work, "tasks.log")
    start([os.path.join(BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--api-key-env", "TASKS_KEY",
           "--record-requests", recorded], log, env)
    return wait_log(log, r"listening on (http://\S+/mcp)").group(1), recorded


def tasks_upstream(url):
    """The [[upstream]] table for that server, holding its key from $TASKS_KEY."""
    return f"""[[upstream]]
name = "tasks"
url = "{url}"
credential = {{ type = "header", header = "X-Api-Key", from_env = "TASKS_KEY" }}
"""


def check_refused(name, config, expected, env, home, secret="hunter2"):
    """Checks that `aip gateway` refuses to start with this configuration, saying `expected`
    and never repeating `secret`."""
    path = os.path.join(work, "refused.toml")
    open(path, "w").write(config)
    r = subprocess.run([AIP, "gateway", "--config", path], capture_output=True, text=True, timeout=30,
                       env=dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
    check(f"the gateway refuses {name}", r.returncode != 0 and expected in r.stderr and secret not in r.stderr, r.stderr[-400:])


def start_gateway(config, env, home, name="gateway", wrap=()):
    """aip gateway with this configuration (its command line after `wrap`, a launcher such as
    with_hosts's); returns its log (<name>.log) once it listens."""
    path = os.path.join(work, name + ".toml")
    open(path, "w").write(config)
    log = os.path.join(work, name + ".log")
    start([*wrap, AIP, "gateway", "--config", path], log, dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
    wait_log(log, '"event":"listening"')
    return log


def make_certificate(names, ips=()):
    """A CA of the test's own and a server certificate it issued for these DNS names (wildcards
    allowed) and IP addresses: (ca.pem, cert.pem, key.pem) in the work folder."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    ca_key, ca, key, csr, cert, ext = (os.path.join(work, n) for n in ("ca.key", "ca.pem", "tls.key", "tls.csr", "tls.pem", "ext.cnf"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=aip test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", ca_key, "-out", ca)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + names[0], "-keyout", key, "-out", csr)
    sans = ",".join([f"DNS:{n}" for n in names] + [f"IP:{i}" for i in ips])
    open(ext, "w").write(f"subjectAltName={sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "1", "-out", cert, "-extfile", ext)
    return ca, cert, key


def with_hosts(names):
    """A launcher that runs a command where these host names resolve to 127.0.0.1: in a mount
    namespace of its own whose /etc/hosts says so (nothing outside it changes). None where the
    system allows no such namespace (unprivileged user namespaces disabled)."""
    hosts = os.path.join(work, "hosts")
    open(hosts, "w").write("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in names))
    wrap = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f'mount --bind "{hosts}" /etc/hosts && exec "$@"', "with-hosts"]
    probe = subprocess.run([*wrap, "getent", "hosts", names[0]], capture_output=True, text=True, timeout=30)
    return wrap if probe.returncode == 0 and "127.0.0.1" in probe.stdout else None


class StdioProxy:
    """aip proxy over pipes, read strictly: every stdout line must be one JSON-RPC message."""

    def __init__(self, url, home, *extra, argv=None, env_extra=None):
        env = dict(os.environ, AIP_HOME=home, AIP_PASSPHRASE="test-pass")
        env.update(env_extra or {})
        self.stderr_path = os.path.join(work, f"proxy-{time.time_ns()}.log")
        self.p = subprocess.Popen(argv or [AIP, "proxy", url, *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=open(self.stderr_path, "w"), env=env)
        procs.append(self.p)
        self.buf = b""
        self.bad_lines = []

    def send(self, msg):
        self.p.stdin.write((json.dumps(msg) + "\n").encode())
        self.p.stdin.flush()

    def next(self, timeout=15):
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
                raise ValueError("not JSON-RPC")
            return msg
        except ValueError:
            self.bad_lines.append(line)
            return {}

    def answer(self, rid, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.next(deadline - time.time())
            if m is None:
                return None
            if m.get("id") == rid and "method" not in m:
                return m
        return None

    def handshake(self):
        self.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "py", "version": "1"}}})
        r = self.answer(1)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return r

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()
        rest = self.p.stdout.read()
        return self.p.returncode, rest
