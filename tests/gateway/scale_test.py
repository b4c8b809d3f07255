#!/usr/bin/env python3
"""Two aip gateways sharing one replay cache and rate limits in Redis, as behind a load balancer; loopback only.

A redis-server of the test's own (127.0.0.1, no persistence, noeviction), one HTTP upstream
that records every request it runs, and two gateways with the same [replay] store and the same
audience:
1. a signed call accepted by gateway A is refused as a replay by gateway B (and by A); 1,000
   signed calls each sent to both gateways at once, in random order: each runs exactly once;
2. a restarted gateway keeps accepting calls signed before its restart (the store remembers);
3. Redis restarted without its data: every call signed before is refused on both gateways
   (predates_restart), fresh ones are served;
4. Redis down: signed calls are refused with 503 + Retry-After (replay_store_unavailable, fail
   closed), /readyz says not ready, /metrics counts the errors; a gateway with
   on_store_error = "local" serves from its own memory meanwhile (and still refuses its own
   replays) while its rate limits, left at "refuse", answer 503; all serve again once it is back;
   Redis killed (SIGKILL) under load: every answer is a result or a refusal, no call runs twice;
5. one rate limit across both: an agent's burst is spent on either gateway;
6. a TLS Redis (rediss://, tls_ca_file) serves; the configuration refuses a password in the URL,
   a TLS Redis whose certificate is not trusted, and a store that evicts keys;
7. every instance's audit log verifies.

Usage: scale_test.py BIN_DIR
"""
import glob, json, os, random, subprocess, sys, threading, time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, check, free_port, get, post, run

work = gwlib.init("aip-scale-")
AUDIENCE = "https://gw.example/mcp"  # The public URL both instances answer for.


start_redis = gwlib.start_redis


def config(port, redis_port, audit, extra="", rate_extra=""):
    return f"""
[gateway]
listen = "127.0.0.1:{port}"
threads = 8
[auth]
audiences = ["{AUDIENCE}"]
[replay]
store = "redis://127.0.0.1:{redis_port}/0"
timeout = "300ms"
{extra}
[rate_limits]
store = "redis://127.0.0.1:{redis_port}/0"
timeout = "300ms"
{rate_extra}
[audit]
path = "{audit}"
{gwlib.tasks_upstream(tasks_url)}namespaced = false
pool = 8
[[limit]]
id = "per-agent"
rate = 0.016
burst = 3
targets = ["list_tasks"]
[[rule]]
id = "agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks", "create_task"]
"""


def signed(n, prefix=None):
    args = [os.path.join(gwlib.BIN, "make_signed_requests"), str(n), AUDIENCE] + ([prefix] if prefix else [])
    return run(args, home=home).stdout.splitlines()


def send(url, line):
    name = json.loads(line)["params"]["name"]
    return post(url, "tools/call", raw=line.encode(), name=name, headers={"mcp-param-project": "project-a"})


def runs_of(prefix):
    """How often the upstream ran each create_task titled PREFIX-<i>."""
    counts = {}
    for l in open(recorded_path):
        body = json.loads(json.loads(l)["body"]) if json.loads(l)["body"] else {}
        args = body.get("params", {}).get("arguments", {}) if isinstance(body, dict) else {}
        title = args.get("title", "")
        if body.get("method") == "tools/call" and title.startswith(prefix + "-"):
            counts[title] = counts.get(title, 0) + 1
    return counts


def served(st, resp):
    return st == 200 and isinstance(resp, dict) and "result" in resp and not resp["result"].get("isError")


def header(headers, name):
    return next((v for k, v in headers.items() if k.lower() == name), None)


def unavailable(st, headers, resp):
    err = resp.get("error", {}) if isinstance(resp, dict) else {}
    return st == 503 and header(headers, "retry-after") == "1" and err.get("code") == -32603 and reason(resp) == "replay_store_unavailable"


def reason(resp):
    return isinstance(resp, dict) and resp.get("error", {}).get("data", {}).get("reason")


try:
    home = os.path.join(work, "home")
    run([AIP, "init", "--name", "gateway"], home=home)
    env = dict(os.environ, TASKS_KEY="tasks-upstream-key-for-the-scale-test")
    tasks_url, recorded_path = gwlib.start_tasks_server(env)
    redis_port = free_port()
    redis = start_redis(redis_port)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}/mcp" for p in ports]
    configs = [config(p, redis_port, os.path.join(work, f"audit-{i}.jsonl")) for i, p in enumerate(ports)]
    live = {}  # The gateways that should be running, by name.
    for i, c in enumerate(configs):
        gwlib.start_gateway(c, env, home, name=f"gateway-{i}")
        live[f"gateway-{i}"] = gwlib.procs[-1]
    gateways = gwlib.procs[-2:]
    check("with a Redis store the gateway still runs its calls on event loops",
          '"mode":"event_loop"' in open(os.path.join(work, "gateway-0.log")).read())

    # 1. One request, two instances.
    calls = signed(4)
    st, _, resp = send(urls[0], calls[0])
    check("gateway A serves a signed call", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = send(urls[1], calls[0])
    check("gateway B refuses the same request as a replay", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")
    st, _, resp = send(urls[0], calls[0])
    check("and so does A", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")
    st, _, resp = send(urls[1], calls[1])
    check("gateway B serves a fresh signed call", st == 200 and "result" in resp, f"{st} {resp}")

    # 1b. 1,000 signed calls, each sent to both gateways at once in random order: one run each.
    batch = signed(1000, "once")
    jobs = [(urls[i], line) for line in batch for i in (0, 1)]
    random.shuffle(jobs)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda job: send(*job), jobs))
    ok = sum(1 for st, _, resp in answers if served(st, resp))
    replays = sum(1 for st, _, resp in answers if st == 401 and reason(resp) == "replayed_nonce")
    counts = runs_of("once")
    check("1,000 calls sent to both gateways concurrently: 1,000 served, 1,000 refused as replays",
          ok == 1000 and replays == 1000, f"served {ok}, replays {replays}, other {len(answers) - ok - replays}")
    check("the upstream ran each exactly once", len(counts) == 1000 and set(counts.values()) == {1},
          f"{len(counts)} titles, most runs {max(counts.values(), default=0)}")

    # 1c. Servers built on the SDK share the store the same way (example-tasks-server --replay-store).
    server_urls = []
    for i in range(2):
        log = os.path.join(work, f"tasks-shared-{i}.log")
        gwlib.start([os.path.join(gwlib.BIN, "example-tasks-server"), "--http", "127.0.0.1:0", "--require-proof",
                     "--audience", AUDIENCE, "--replay-store", f"redis://127.0.0.1:{redis_port}/0"], log, env)
        server_urls.append(gwlib.wait_log(log, r"listening on (http://\S+/mcp)").group(1))
    direct = signed(2, "direct")
    st, _, resp = send(server_urls[0], direct[0])
    check("example-tasks-server A serves a signed call", served(st, resp), f"{st} {resp}")
    st, _, resp = send(server_urls[1], direct[0])
    check("example-tasks-server B refuses it as a replay", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")
    st, _, resp = send(urls[0], direct[1])
    st2, _, resp2 = send(server_urls[1], direct[1])
    check("and a call one gateway accepted is a replay at the servers too (one store)",
          served(st, resp) and st2 == 401 and reason(resp2) == "replayed_nonce", f"{st} {resp} / {st2} {resp2}")

    # 2. A restarted instance keeps the store's memory: calls signed before still work, replays don't.
    gateways[0].terminate()
    gateways[0].wait(timeout=15)
    gwlib.start_gateway(configs[0], env, home, name="gateway-0-restarted")
    live["gateway-0"] = gwlib.procs[-1]
    st, _, resp = send(urls[0], calls[2])
    check("a restarted gateway serves a call signed before its restart", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = send(urls[0], calls[1])
    check("and refuses one used before its restart on the other instance", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")

    # 3. Redis restarted without its data: what was signed before cannot be told from a replay.
    redis.terminate()
    redis.wait(timeout=10)
    redis = start_redis(redis_port)
    for i, url in enumerate(urls):
        st, _, resp = send(url, calls[3] if i == 0 else calls[0])
        check(f"after Redis lost its data, gateway {'AB'[i]} refuses calls signed before",
              st == 401 and reason(resp) == "predates_restart", f"{st} {resp}")
    time.sleep(2.1)  # The gateways learn the new horizon within a second (a whole second).
    fresh = signed(2)
    for i, url in enumerate(urls):
        st, _, resp = send(url, fresh[i])
        check(f"and gateway {'AB'[i]} serves fresh ones", st == 200 and "result" in resp, f"{st} {resp}")

    # 4. Redis down: fail closed (503), stay up, say so, recover. Gateway C chose "local".
    local_port = free_port()
    local_url = f"http://127.0.0.1:{local_port}/mcp"
    local_log = gwlib.start_gateway(config(local_port, redis_port, os.path.join(work, "audit-local.jsonl"),
                                           'on_store_error = "local"'), env, home, name="gateway-local")
    live["gateway-local"] = gwlib.procs[-1]
    check("a gateway started with on_store_error = \"local\" says what that weakens",
          "store_fallback_configured" in open(local_log).read() and "replayed on another" in open(local_log).read())
    base = urls[1].rsplit("/", 1)[0]
    check("/readyz is ready while Redis is up", get(base + "/readyz")[0] == 200)
    # The restart in step 3 may itself have been seen as an outage; count only this one.
    log_mark = os.path.getsize(os.path.join(work, "gateway-1.log"))
    redis.terminate()
    redis.wait(timeout=10)
    down = signed(3)
    t0 = time.monotonic()
    st, headers, resp = send(urls[1], down[0])
    took = time.monotonic() - t0
    check("with Redis down a signed call is refused: 503, Retry-After, -32603 replay_store_unavailable",
          unavailable(st, headers, resp), f"{st} {header(headers, 'retry-after')} {resp}")
    check("within the store's timeout", took < 3, f"{took:.2f} s")
    st, headers, resp = send(server_urls[0], down[2])
    check("example-tasks-server refuses too: 503 replay_store_unavailable", unavailable(st, headers, resp),
          f"{st} {header(headers, 'retry-after')} {resp}")
    check("the gateways stay up", all(g.poll() is None for g in live.values()))
    time.sleep(1.2)  # The once-a-second check.
    st, body = get(base + "/readyz")
    ready = json.loads(body)
    check("/readyz says not ready, naming the store", st == 503 and ready["stores"]["replay"] == {"up": False, "required": True}, body)
    metrics = get(base + "/metrics")[1]
    check("/metrics shows the store down and its errors", 'aip_gateway_store_up{store="replay"} 0' in metrics
          and any(l.startswith('aip_gateway_store_errors_total{store="replay"}') and float(l.split()[-1]) >= 1
                  for l in metrics.splitlines()), "\n".join(l for l in metrics.splitlines() if "store" in l)[:600])
    with open(os.path.join(work, "gateway-1.log")) as f:
        f.seek(log_mark)
        log = f.read()
    outages = [l for l in log.splitlines() if '"event":"store_unavailable"' in l and '"store":"replay"' in l]
    check("the outage is logged once", len(outages) == 1, str(outages))
    # Gateway C: its own memory decides meanwhile — loudly — and its own replays stay refused.
    local_call = signed(1, "local")[0]
    st, _, resp = send(local_url, local_call)
    check("the \"local\" gateway serves a signed call while Redis is down", served(st, resp), f"{st} {resp}")
    st, _, resp = send(local_url, local_call)
    check("and refuses its replay from its own memory", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")
    st, headers, resp = send(local_url, down[1])
    check("its rate limits, left at \"refuse\", answer 503 rate_limit_store_unavailable",
          st == 503 and header(headers, "retry-after") == "1" and reason(resp) == "rate_limit_store_unavailable", f"{st} {resp}")
    st, body = get(local_url.rsplit("/", 1)[0] + "/readyz")
    check("its /readyz names the replay store down but not required, the rate-limit store required",
          st == 503 and json.loads(body)["stores"]["replay"] == {"up": False, "required": False}
          and json.loads(body)["stores"]["rate_limits"]["required"] is True, body)
    time.sleep(0.2)
    check("its log says, at error level, what is weakened",
          any('"event":"store_unavailable"' in l and '"level":"error"' in l and "replayed on another" in l
              for l in open(local_log)))
    metrics = get(local_url.rsplit("/", 1)[0] + "/metrics")[1]
    check("its /metrics counts the calls checked locally",
          any(l.startswith('aip_gateway_store_fallbacks_total{store="replay"}') and float(l.split()[-1]) >= 2
              for l in metrics.splitlines()), "\n".join(l for l in metrics.splitlines() if "fallback" in l))
    redis = start_redis(redis_port)
    time.sleep(2.1)
    st, _, resp = send(urls[1], signed(1)[0])
    check("once Redis is back the gateway serves again", served(st, resp), f"{st} {resp}")
    check("and /readyz is ready again", get(base + "/readyz")[0] == 200)

    # 4b. Redis killed (SIGKILL) under load, then started again (empty): every answer is a
    # result or a refusal, and no call runs twice (each is sent to both gateways).
    time.sleep(1.1)
    load = signed(3000, "kill")
    answers, stop, lock = [], threading.Event(), threading.Lock()
    cursor = iter(load)

    def worker():
        while not stop.is_set():
            with lock:
                line = next(cursor, None)
            if line is None:
                return
            order = random.sample(urls, 2)
            for url in order:
                st, headers, resp = send(url, line)
                with lock:
                    answers.append((st, headers, resp))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    redis.kill()
    redis.wait(timeout=10)
    time.sleep(1.0)
    redis = start_redis(redis_port)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    kinds = {}
    for st, headers, resp in answers:
        if served(st, resp):
            kind = "served"
        elif st == 401 and reason(resp) in ("replayed_nonce", "predates_restart"):
            kind = reason(resp)
        elif unavailable(st, headers, resp):
            kind = "unavailable"
        else:
            kind = f"other {st} {resp}"
        kinds[kind] = kinds.get(kind, 0) + 1
    counts = runs_of("kill")
    check("Redis killed under load: every answer is a result or a refusal", all(not k.startswith("other") for k in kinds)
          and kinds.get("served", 0) > 0 and kinds.get("unavailable", 0) > 0, str(kinds)[:600])
    check("no call ran twice", counts and max(counts.values()) == 1 and sum(counts.values()) == kinds.get("served"),
          f"{len(counts)} titles, most runs {max(counts.values(), default=0)}, served {kinds.get('served')}")
    check("every gateway is still up", all(g.poll() is None for g in live.values()))
    time.sleep(1.1)
    fresh = signed(2)
    check("and both serve again by themselves", all(served(*send(url, fresh[i])[::2]) for i, url in enumerate(urls)))

    # 5. One rate limit for both instances: an agent's burst of 3 is spent across them.
    time.sleep(1.1)
    burst = signed(4)
    answers = [send(urls[i % 2], line) for i, line in enumerate(burst)]
    check("an agent's first 3 list_tasks, across both gateways, are served",
          all(st == 200 and "result" in resp for st, _, resp in answers[:3]), str(answers[:3]))
    st, _, resp = answers[3]
    check("its 4th is refused by the other gateway: one limit, not one per instance",
          st == 429 and resp.get("error", {}).get("code") == -31002 and resp["error"]["data"]["limit"] == "per-agent", f"{st} {resp}")

    # 5b. Redis over TLS: rediss:// with the CA that signed its certificate.
    pki = os.path.join(work, "pki")
    os.makedirs(pki)
    ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
    made = subprocess.run(
        f"openssl req -x509 {ec} -keyout ca.key -out ca.crt -subj /CN=test-ca -days 1 && "
        f"openssl req -x509 {ec} -keyout other.key -out other.crt -subj /CN=other-ca -days 1 && "
        f"openssl req {ec} -keyout redis.key -out redis.csr -subj /CN=localhost && "
        "printf 'subjectAltName=IP:127.0.0.1' > ext && "
        "openssl x509 -req -in redis.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out redis.crt -days 1 -extfile ext",
        shell=True, cwd=pki, capture_output=True, text=True)
    check("a test CA and a certificate for the TLS Redis", made.returncode == 0, made.stderr[-300:])
    tls_port = free_port()
    gwlib.start(["redis-server", "--port", "0", "--tls-port", str(tls_port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--tls-cert-file", os.path.join(pki, "redis.crt"), "--tls-key-file",
                 os.path.join(pki, "redis.key"), "--tls-ca-cert-file", os.path.join(pki, "ca.crt"), "--tls-auth-clients", "no"],
                os.path.join(work, "redis-tls.log"), dict(os.environ))
    for _ in range(200):
        if subprocess.run(["redis-cli", "--tls", "--cacert", os.path.join(pki, "ca.crt"), "-p", str(tls_port), "ping"],
                          capture_output=True, text=True).stdout.strip() == "PONG":
            break
        time.sleep(0.05)
    ca_line = f'tls_ca_file = "{os.path.join(pki, "ca.crt")}"'
    tls_config = config(free_port(), tls_port, os.path.join(work, "audit-tls.jsonl"), ca_line, ca_line).replace(
        "redis://127.0.0.1", "rediss://127.0.0.1")
    tls_port_gw = int(tls_config.split('listen = "127.0.0.1:')[1].split('"')[0])
    gwlib.start_gateway(tls_config, env, home, name="gateway-tls")
    tls_url = f"http://127.0.0.1:{tls_port_gw}/mcp"
    over_tls = signed(1, "tls")[0]
    st, _, resp = send(tls_url, over_tls)
    check("a gateway on a TLS Redis (rediss://, tls_ca_file) serves a signed call", served(st, resp), f"{st} {resp}")
    st, _, resp = send(tls_url, over_tls)
    check("and refuses its replay", st == 401 and reason(resp) == "replayed_nonce", f"{st} {resp}")

    # 6. Configurations that would weaken the guarantee are refused.
    evicting_port = free_port()
    start_redis(evicting_port, ["--maxmemory-policy", "allkeys-lru"])
    bad = {
        "a store that evicts keys": (config(free_port(), evicting_port, os.path.join(work, "bad-1.jsonl")), "noeviction"),
        "a password in the URL": (config(free_port(), redis_port, os.path.join(work, "bad-2.jsonl")).replace(
            "redis://127.0.0.1", "redis://:hunter2@127.0.0.1"), "password_env"),
        "a TLS Redis whose certificate it does not trust": (config(
            free_port(), tls_port, os.path.join(work, "bad-3.jsonl"), f'tls_ca_file = "{os.path.join(pki, "other.crt")}"').replace(
            "redis://127.0.0.1", "rediss://127.0.0.1"), "not trusted"),
        "rediss:// to a Redis without TLS": (config(free_port(), redis_port, os.path.join(work, "bad-5.jsonl")).replace(
            "redis://127.0.0.1", "rediss://127.0.0.1"), "TLS"),
        "an unset password variable": (config(free_port(), redis_port, os.path.join(work, "bad-4.jsonl"),
                                              'password_env = "AIP_TEST_NO_SUCH_VARIABLE"'), "is not set"),
    }
    for name, (text, expected) in bad.items():
        gwlib.check_refused(name, text, expected, env, home)

    # 7. No acknowledged audit line lost on any instance.
    for g in live.values():
        g.terminate()
        g.wait(timeout=20)
    gateway_did = gwlib.did_of(home)
    for name in ["audit-0.jsonl", "audit-1.jsonl", "audit-local.jsonl"]:
        path = os.path.join(work, name)
        r = run([AIP, "audit", "verify", *sorted(glob.glob(path + "*[0-9]")), path, "--signer", gateway_did])
        check(f"{name} verifies", r.returncode == 0, (r.stdout + r.stderr)[-300:])
finally:
    sys.exit(gwlib.finish())
