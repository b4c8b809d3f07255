#!/usr/bin/env python3
"""Two aip gateways sharing one replay cache and rate limits in Redis, as behind a load balancer; loopback only.

A redis-server of the test's own (127.0.0.1, no persistence, noeviction) and two gateways with
the same [replay] store and the same audience:
1. a signed call accepted by gateway A is refused as a replay by gateway B (and by A);
2. a restarted gateway keeps accepting calls signed before its restart (the store remembers);
3. Redis restarted without its data: every call signed before is refused on both gateways
   (predates_restart), fresh ones are served;
4. Redis down: signed calls are refused (replay_store_unavailable, fail closed), the gateways
   stay up, and serve again once it is back;
5. one rate limit across both: an agent's burst is spent on either gateway;
6. the configuration refuses a password in the URL, rediss://, and a store that evicts keys.

Usage: scale_test.py BIN_DIR
"""
import os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, check, free_port, post, run

work = gwlib.init("aip-scale-")
AUDIENCE = "https://gw.example/mcp"  # The public URL both instances answer for.


def start_redis(port, extra=()):
    p = gwlib.start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--maxmemory-policy", "noeviction", *extra], os.path.join(work, f"redis-{port}.log"), dict(os.environ))
    deadline = time.time() + 10
    while time.time() < deadline:
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            return p
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def config(port, redis_port, audit, extra=""):
    return f"""
[gateway]
listen = "127.0.0.1:{port}"
[auth]
audiences = ["{AUDIENCE}"]
[replay]
store = "redis://127.0.0.1:{redis_port}/0"
timeout = "300ms"
{extra}
[rate_limits]
store = "redis://127.0.0.1:{redis_port}/0"
[audit]
path = "{audit}"
[[upstream]]
name = "local"
namespaced = false
command = ["{gwlib.BIN}/example-tasks-server", "--stdio"]
[[limit]]
id = "per-agent"
rate = 0.016
burst = 3
[[rule]]
id = "agents"
effect = "allow"
kinds = ["agent"]
targets = ["list_tasks"]
"""


def signed(n):
    return run([os.path.join(gwlib.BIN, "make_signed_requests"), str(n), AUDIENCE], home=home).stdout.splitlines()


def send(url, line):
    return post(url, "tools/call", raw=line.encode(), name="list_tasks", headers={"mcp-param-project": "project-a"})


def reason(resp):
    return isinstance(resp, dict) and resp.get("error", {}).get("data", {}).get("reason")


try:
    home = os.path.join(work, "home")
    run([AIP, "init", "--name", "gateway"], home=home)
    env = dict(os.environ)
    redis_port = free_port()
    redis = start_redis(redis_port)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}/mcp" for p in ports]
    configs = [config(p, redis_port, os.path.join(work, f"audit-{i}.jsonl")) for i, p in enumerate(ports)]
    for i, c in enumerate(configs):
        gwlib.start_gateway(c, env, home, name=f"gateway-{i}")
    gateways = gwlib.procs[-2:]

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

    # 2. A restarted instance keeps the store's memory: calls signed before still work, replays don't.
    gateways[0].terminate()
    gateways[0].wait(timeout=15)
    gwlib.start_gateway(configs[0], env, home, name="gateway-0-restarted")
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

    # 4. Redis down: fail closed, stay up, recover.
    redis.terminate()
    redis.wait(timeout=10)
    down = signed(1)[0]
    t0 = time.monotonic()
    st, _, resp = send(urls[1], down)
    took = time.monotonic() - t0
    check("with Redis down a signed call is refused", st == 401 and reason(resp) == "replay_store_unavailable", f"{st} {resp}")
    check("within the store's timeout", took < 3, f"{took:.2f} s")
    check("the gateways stay up", all(g.poll() is None for g in [gwlib.procs[-2], gwlib.procs[-3]]))
    redis = start_redis(redis_port)
    time.sleep(2.1)
    st, _, resp = send(urls[1], signed(1)[0])
    check("once Redis is back the gateway serves again", st == 200 and "result" in resp, f"{st} {resp}")

    # 5. One rate limit for both instances: an agent's burst of 3 is spent across them.
    time.sleep(1.1)
    burst = signed(4)
    answers = [send(urls[i % 2], line) for i, line in enumerate(burst)]
    check("an agent's first 3 calls, across both gateways, are served",
          all(st == 200 and "result" in resp for st, _, resp in answers[:3]), str(answers[:3]))
    st, _, resp = answers[3]
    check("its 4th is refused by the other gateway: one limit, not one per instance",
          st == 429 and resp.get("error", {}).get("code") == -31002 and resp["error"]["data"]["limit"] == "per-agent", f"{st} {resp}")

    # 6. Configurations that would weaken the guarantee are refused.
    evicting_port = free_port()
    start_redis(evicting_port, ["--maxmemory-policy", "allkeys-lru"])
    bad = {
        "a store that evicts keys": (config(free_port(), evicting_port, os.path.join(work, "bad-1.jsonl")), "noeviction"),
        "a password in the URL": (config(free_port(), redis_port, os.path.join(work, "bad-2.jsonl")).replace(
            "redis://127.0.0.1", "redis://:hunter2@127.0.0.1"), "password_env"),
        "rediss://": (config(free_port(), redis_port, os.path.join(work, "bad-3.jsonl")).replace("redis://", "rediss://"), "TLS"),
        "an unset password variable": (config(free_port(), redis_port, os.path.join(work, "bad-4.jsonl"),
                                              'password_env = "AIP_TEST_NO_SUCH_VARIABLE"'), "is not set"),
    }
    for name, (text, expected) in bad.items():
        path = os.path.join(work, "bad.toml")
        open(path, "w").write(text)
        r = subprocess.run([AIP, "gateway", "--config", path], capture_output=True, text=True, timeout=30,
                           env=dict(env, AIP_HOME=home, AIP_PASSPHRASE="test-pass"))
        check(f"the gateway refuses {name}", r.returncode != 0 and expected in r.stderr and "hunter2" not in r.stderr,
              r.stderr[-400:])
finally:
    sys.exit(gwlib.finish())
