"""Two registry instances on one PostgreSQL database behind a reverse proxy, sharing their rate
limits in Redis (`aip registry serve --trusted-proxy 127.0.0.1 --rate-limit-store redis://…`);
PostgreSQL, Redis and the instances all of the test's own, on loopback. The test plays the proxy
(it is the trusted 127.0.0.1) and sets X-Forwarded-For / Forwarded as one would. Checks:
1. One client's budget holds across both instances: burst requests accepted in all, the next 429.
2. Each client has its own bucket: another address behind the same proxy is served.
3. A client cannot pick its bucket: an address it prepends is ignored (the rightmost untrusted
   hop is the client); RFC 7239 Forwarded is read too.
4. Without --trusted-proxy the headers are ignored: every request counts against the TCP peer.
5. Redis down: 503 + Retry-After (fail closed), the instances stay up and serve again once back.
6. Bad flags are refused at start.

Usage: registry_scale_test.py BIN_DIR
"""
import os, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib as g
import postgres

work = g.init("aip-registry-scale-")
RATE = 1  # Requests per second per client: a burst of 4, refilled slower than the test asks.
BURST = 4 * RATE
cluster = None


def serve(name, db, extra=()):
    log = os.path.join(work, name + ".log")
    p = g.start([g.AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--db", db, "--request-rate", str(RATE), *extra],
                log, dict(os.environ, AIP_HOME=os.path.join(work, name)))
    port = g.wait_log(log, r'"event":"registry_listening".*?"port":(\d+)').group(1)
    return p, f"http://127.0.0.1:{port}"


def get(url, headers=None):
    req = urllib.request.Request(url + "/v1/stats", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def xff(address):
    return {"x-forwarded-for": address}


try:
    cluster = postgres.Cluster()
    db = cluster.database("registry")
    redis_port = g.free_port()
    redis = g.start_redis(redis_port)
    shared = ["--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8",
              "--rate-limit-store", f"redis://127.0.0.1:{redis_port}/0"]
    instances = [serve("reg-1", db, shared), serve("reg-2", db, shared)]
    urls = [u for _, u in instances]

    # 1. One budget across both instances.
    answers = [get(urls[i % 2], xff("203.0.113.1"))[0] for i in range(BURST)]
    check_burst = answers == [200] * BURST
    g.check(f"a client's burst ({BURST}) is served, alternating instances", check_burst, str(answers))
    st, headers = get(urls[BURST % 2], xff("203.0.113.1"))
    g.check("the next request, on either instance, is 429 with Retry-After", st == 429 and headers.get("retry-after"), f"{st} {headers}")
    st, _ = get(urls[(BURST + 1) % 2], xff("203.0.113.1"))
    g.check("and on the other instance too", st == 429, str(st))

    # 2. Its own bucket per client behind the proxy.
    g.check("another client behind the same proxy is served", get(urls[0], xff("203.0.113.2"))[0] == 200)

    # 3. The client cannot choose its bucket.
    st, _ = get(urls[1], xff("198.51.100.77, 203.0.113.1"))
    g.check("an address the client prepends is ignored: still 203.0.113.1's empty bucket", st == 429, str(st))
    st, _ = get(urls[1], xff("203.0.113.1, 10.1.2.3"))
    g.check("a chain of trusted proxies is walked to the client", st == 429, str(st))
    answers = [get(urls[i % 2], {"forwarded": 'for="203.0.113.3:4711";proto=https'})[0] for i in range(BURST + 1)]
    g.check("RFC 7239 Forwarded names the client too (its own burst, then 429)", answers == [200] * BURST + [429], str(answers))

    # 4. No trusted proxy: the headers are anyone's to write.
    _, plain = serve("reg-plain", db)
    answers = [get(plain, xff(f"203.0.113.{100 + i}"))[0] for i in range(BURST + 1)]
    g.check("without --trusted-proxy, X-Forwarded-For does not buy a fresh bucket", answers == [200] * BURST + [429], str(answers))

    # 5. Redis down: fail closed, stay up, recover.
    redis.terminate()
    redis.wait(timeout=10)
    st, headers = get(urls[0], xff("203.0.113.9"))
    g.check("with Redis down a request is refused: 503, Retry-After: 1", st == 503 and headers.get("retry-after") == "1", f"{st} {headers}")
    g.check("both instances stay up", all(p.poll() is None for p, _ in instances))
    redis = g.start_redis(redis_port)
    served = False
    for i in range(40):
        if get(urls[0], xff(f"203.0.113.{20 + i}"))[0] == 200:
            served = True
            break
        time.sleep(0.1)
    g.check("served again once Redis is back", served)
    log = open(os.path.join(work, "reg-1.log")).read()
    g.check("the outage and the recovery are logged", '"event":"store_unavailable"' in log and '"event":"store_back"' in log)

    # 6. Bad flags.
    for flags, expected in [(["--trusted-proxy", "10.0.0.1/8"], "host bits"), (["--trusted-proxy", "proxy.example"], "not an IP"),
                            (["--rate-limit-store", "redis://:hunter2@127.0.0.1"], "password"),
                            (["--rate-limit-store", f"redis://127.0.0.1:{g.free_port()}"], "")]:
        r = subprocess.run([g.AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--db", db, *flags], capture_output=True,
                           text=True, timeout=30, env=dict(os.environ, AIP_HOME=os.path.join(work, "bad")))
        g.check(f"registry serve {' '.join(flags)} is refused", r.returncode != 0 and expected in r.stderr and "hunter2" not in r.stderr,
                f"{r.returncode} {r.stderr[-300:]}")
finally:
    rc = g.finish()
    if cluster:
        cluster.stop()
sys.exit(rc)
