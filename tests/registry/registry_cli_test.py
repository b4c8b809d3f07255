"""The registry end to end through the `aip` CLI, on one backend (argv[2]: sqlite or postgres):
registration, directory, search, resolution, vouches and revocations, trust sync and scores,
messages, doctor; key rotation and deactivation through the registry; federation with an honest and a malicious peer; on PostgreSQL two registry
instances serving one dataset; and `kill -9` during a burst of writes losing no acknowledged one.

Usage: registry_cli_test.py BIN_DIR sqlite|postgres
"""
import http.server, json, os, signal, subprocess, sys, threading, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib as g
import postgres

BACKEND = sys.argv[2]
work = g.init(f"aip-registry-{BACKEND}-")
cluster = postgres.Cluster() if BACKEND == "postgres" else None


def database(name):
    return cluster.database(name) if cluster else f"sqlite:{work}/{name}/registry.db"


def serve(name, db, extra=()):
    """Starts `aip registry serve` on a free port; returns (process, URL)."""
    log = os.path.join(work, name + ".log")
    p = g.start([g.AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--db", db, "--sync-interval", "1",
                 "--allow-private-peers", "--request-rate", "100000", "--write-rate", "100000", *extra],
                log, dict(os.environ, AIP_HOME=os.path.join(work, name)))
    port = g.wait_log(log, r'"event":"registry_listening".*?"port":(\d+)').group(1)
    return p, f"http://127.0.0.1:{port}"


def aip(home, *args, registry=None):
    env = {"AIP_REGISTRY": registry} if registry else {}
    return g.run([g.AIP, *args], env_extra=env, home=os.path.join(work, home))


def api(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def json_server(answer):
    """A fake peer on 127.0.0.1 answering every GET with the JSON answer(path)."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(answer(self.path)).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_for(what, predicate, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    g.check(what, False, "(timed out)")
    return False


try:
    reg_a, url_a = serve("reg-a", database("reg_a"))
    for who in ("alice", "bob", "carol"):
        r = aip(who, "init", "--name", who)
        g.check(f"init {who}", r.returncode == 0, r.stderr)
    did = {who: json.loads(aip(who, "did", "show", "--json").stdout)["did"] for who in ("alice", "bob", "carol")}
    alias = {who: json.loads(aip(who, "did", "show", "--json").stdout)["did_aip"] for who in ("alice", "bob", "carol")}

    # Registration, directory, search.
    r = aip("alice", "register", "--description", "<script>alert(1)</script> books flights", "--platform", "langchain", registry=url_a)
    g.check("register alice", r.returncode == 0 and r.stdout.startswith("created"), r.stdout + r.stderr)
    r = aip("alice", "register", "--description", "<script>alert(1)</script> books flights and hotels", "--platform", "langchain", registry=url_a)
    g.check("re-register alice (an update)", r.returncode == 0 and r.stdout.startswith("updated"), r.stdout + r.stderr)
    g.check("register bob", aip("bob", "register", "--platform", "crewai", registry=url_a).returncode == 0)
    g.check("register carol", aip("carol", "register", registry=url_a).returncode == 0)
    listed = json.loads(aip("alice", "list", "--json", registry=url_a).stdout)
    g.check("list shows three agents", len(listed["agents"]) == 3, listed)
    found = aip("alice", "search", "crew", registry=url_a).stdout
    g.check("search by platform", did["bob"] in found and did["alice"] not in found, found)
    r = aip("alice", "register", "--registry", "http://127.0.0.1:1")
    g.check("unreachable registry: exit 3", r.returncode == 3, r.stderr)
    r = aip("alice", "register")
    g.check("no registry: usage error", r.returncode == 2 and "AIP_REGISTRY" in r.stderr, r.stderr)

    # Resolution: did:aip through the registry, checked against the key.
    r = aip("carol", "resolve", alias["alice"], registry=url_a)
    doc = json.loads(r.stdout)["didDocument"] if r.returncode == 0 else {}
    g.check("resolve did:aip", doc.get("id") == alias["alice"], r.stdout + r.stderr)
    r = aip("carol", "resolve", "did:aip:" + "0" * 32, registry=url_a)
    g.check("unknown did:aip: exit 3", r.returncode == 3 and "resolve" in r.stderr, r.stderr)

    # Vouches published, synced by a third agent from its anchor, scored; then revoked.
    r = aip("alice", "vouch", did["bob"], "--scope", "CODE_SIGNING", "--weight", "0.9", "--publish", registry=url_a)
    g.check("vouch --publish", r.returncode == 0 and "published" in r.stderr, r.stderr)
    vouch_id = r.stderr.split(": sha256:")[1].split()[0] if ": sha256:" in r.stderr else ""
    g.check("anchor", aip("carol", "trust", "anchors", "add", did["alice"]).returncode == 0)
    r = aip("carol", "trust", "sync", registry=url_a)
    g.check("trust sync pulls the vouch", r.returncode == 0 and "1 new vouches" in r.stdout, r.stdout + r.stderr)
    score = aip("carol", "trust", "score", did["bob"], "--scope", "CODE_SIGNING").stdout.strip()
    g.check("score after sync", score == "0.7200", score)
    trust = api(f"{url_a}/v1/trust?subject={did['bob']}&anchors={did['alice']}&scope=CODE_SIGNING")
    g.check("registry trust query with the signed vouch", abs(trust["score"] - 0.72) < 1e-6 and
            trust["paths"][0]["vouches"][0]["issuer"] == did["alice"], trust)
    r = aip("carol", "trust", "query", did["bob"], "--scope", "CODE_SIGNING", "--json", registry=url_a)
    q = json.loads(r.stdout) if r.returncode == 0 else {}
    g.check("trust query from my anchors, each cited vouch verified", abs(q.get("score", 0) - 0.72) < 1e-6 and
            q.get("verified_vouches") == 1, r.stdout + r.stderr)
    r = aip("alice", "revoke", "sha256:" + vouch_id, "--publish", registry=url_a)
    g.check("revoke --publish", r.returncode == 0 and "published" in r.stderr, r.stderr)
    r = aip("carol", "trust", "sync", registry=url_a)
    g.check("sync brings the revocation", "1 new revocations" in r.stdout, r.stdout)
    score = aip("carol", "trust", "score", did["bob"], "--scope", "CODE_SIGNING").stdout.strip()
    g.check("score drops after revocation", score == "0.0000", score)
    trust = api(f"{url_a}/v1/trust?subject={did['bob']}&anchors={did['alice']}")
    g.check("registry index drops the revoked vouch", trust["score"] == 0, trust)

    # Messages: sealed, signed, read once, replays flagged.
    r = aip("alice", "message", did["bob"], "lunch at noon?", registry=url_a)
    g.check("message sent", r.returncode == 0 and r.stdout.startswith("sent msg_"), r.stdout + r.stderr)
    r = aip("carol", "messages", registry=url_a)
    g.check("carol's inbox is empty", r.returncode == 0 and r.stdout == "", r.stdout)
    r = aip("bob", "messages", "--json", registry=url_a)
    msgs = json.loads(r.stdout)["messages"] if r.returncode == 0 else []
    g.check("bob reads it, from alice", len(msgs) == 1 and msgs[0]["text"] == "lunch at noon?" and msgs[0]["from"] == did["alice"], r.stdout + r.stderr)
    g.check("read messages are deleted", json.loads(aip("bob", "messages", "--json", registry=url_a).stdout)["messages"] == [])
    try:
        urllib.request.urlopen(f"{url_a}/v1/messages", timeout=5)
        g.check("unsigned inbox read refused", False)
    except urllib.error.HTTPError as e:
        g.check("unsigned inbox read refused", e.code == 401, e.code)
    try:
        urllib.request.urlopen(f"{url_a}/v1/messages/count?did={did['bob']}", timeout=5)
        g.check("no public message counts", False)
    except urllib.error.HTTPError as e:
        g.check("no public message counts", e.code in (404, 405), e.code)

    # Doctor.
    r = aip("bob", "doctor", registry=url_a)
    g.check("doctor passes", r.returncode == 0 and "registered as" in r.stdout and "clock skew" in r.stdout, r.stdout + r.stderr)
    os.chmod(os.path.join(work, "bob", "identity.json"), 0o644)
    r = aip("bob", "doctor", registry=url_a)
    g.check("doctor flags a readable identity file", r.returncode == 1 and "FAIL" in r.stdout and "600" in r.stdout, r.stdout)
    os.chmod(os.path.join(work, "bob", "identity.json"), 0o600)

    # Federation: B pulls from A, and from a malicious peer serving forged and replayed records.
    reg_b, url_b = serve("reg-b", f"sqlite:{work}/reg-b-db/registry.db")
    evil_records = []
    alice_doc = api(f"{url_a}/v1/agents/{did['alice']}")["document"]
    forged = dict(alice_doc, name="alice-the-admin")  # Signature no longer matches.
    evil_records.append({"seq": 1, "kind": "agent", "key": did["alice"], "document": forged})
    stale = api(f"{url_a}/v1/records?after=0&limit=1")["records"][0]["document"]
    evil_records.append({"seq": 2, "kind": "agent", "key": did["alice"], "document": stale})
    evil_records.append({"seq": 3, "kind": "agent", "key": did["alice"], "document": alice_doc})  # Replayed.

    evil = json_server(lambda path: {"records": evil_records if "after=0&" in path else []})
    evil_url = f"http://127.0.0.1:{evil.server_port}"
    env_b = dict(os.environ, AIP_HOME=os.path.join(work, "reg-b"))
    # The honest peer first; then the evil one, whose stale and replayed records B already holds newer or equal.
    def add_peer(peer):
        r = subprocess.run([g.AIP, "registry", "peer", "add", peer, "--db", f"sqlite:{work}/reg-b-db/registry.db"],
                           env=env_b, capture_output=True, text=True, timeout=30)
        g.check(f"peer add {peer}", r.returncode == 0, r.stderr)
    add_peer(url_a)
    wait_for("B has A's three agents", lambda: api(f"{url_b}/v1/stats")["agents"] == 3)
    add_peer(evil_url)
    wait_for("B pulled the malicious peer", lambda: any(p["url"] == evil_url and p["cursor"] == 3
                                                        for p in api(f"{url_b}/v1/stats")["peers"]))
    stats = {p["url"]: p for p in api(f"{url_b}/v1/stats")["peers"]}
    g.check("forged record rejected, stale one refused as a conflict, replay ignored",
            stats[evil_url]["rejected"] == 1 and stats[evil_url]["conflicts"] == 1 and stats[evil_url]["accepted"] == 0, stats)
    g.check("A's records accepted", stats[url_a]["accepted"] >= 6 and stats[url_a]["rejected"] == 0, stats)
    shown = api(f"{url_b}/v1/agents/{did['alice']}")
    g.check("B serves alice's genuine record", shown["name"] == "alice", shown["name"])
    r = subprocess.run([g.AIP, "registry", "peer", "list", "--db", f"sqlite:{work}/reg-b-db/registry.db"],
                       env=env_b, capture_output=True, text=True, timeout=30)
    g.check("peer list shows counts", "rejected 1  conflicts 1" in r.stdout, r.stdout)
    evil.shutdown()

    # A lying registry: it claims alice vouched for carol, citing alice's (genuine) vouch for bob.
    real_vouch = api(f"{url_a}/v1/vouches?issuer={did['alice']}")["vouches"][0]["document"]
    lie = {"score": 0.9, "anchor": False, "unexplained": 0, "paths": [
        {"path": [did["alice"], did["carol"]], "weights": [1.0], "contribution": 0.9, "vouches": [real_vouch]}]}

    liar = json_server(lambda path: lie)
    r = aip("bob", "trust", "query", did["carol"], "--anchor", did["alice"], registry=f"http://127.0.0.1:{liar.server_port}")
    g.check("a trust answer citing the wrong vouch is caught", r.returncode == 1 and "not backed" in r.stderr, r.stdout + r.stderr)
    liar.shutdown()

    # A registry answering in the wrong shape: a failed check or an error, never a crash.
    garbled = json_server(lambda path: {"score": 0.9, "paths": [{"path": "x"}], "agents": [{"did": 1}], "next": None})
    garbled_url = f"http://127.0.0.1:{garbled.server_port}"
    r = aip("bob", "trust", "query", did["carol"], "--anchor", did["alice"], registry=garbled_url)
    g.check("a malformed trust answer fails verification", r.returncode == 1 and "malformed" in r.stderr, r.stdout + r.stderr)
    r = aip("bob", "list", registry=garbled_url)
    g.check("a malformed directory page is an error, not a crash", r.returncode == 3 and "unexpected input" in r.stderr,
            f"{r.returncode} {r.stderr}")
    garbled.shutdown()

    # PostgreSQL: a second instance on the same database serves the same dataset.
    if cluster:
        reg_a2, url_a2 = serve("reg-a2", cluster.url.rsplit("/", 1)[0] + "/reg_a")
        g.check("register through instance 2", aip("carol", "register", "--description", "via two", registry=url_a2).returncode == 0)
        g.check("instance 1 sees the write", api(f"{url_a}/v1/agents/{did['carol']}")["description"] == "via two")
        r = aip("bob", "vouch", did["carol"], "--publish", registry=url_a2)
        g.check("vouch through instance 2", r.returncode == 0, r.stderr)
        wait_for("instance 1's trust index catches up",
                 lambda: api(f"{url_a}/v1/trust?subject={did['carol']}&anchors={did['bob']}")["score"] > 0.7)

    # Rotation through the registry: the identity, its registration and its trust move to the new
    # key; a thief holding the old key gets nothing; deactivation ends it everywhere.
    for who in ("dan", "erin", "fay", "hal"):
        g.check(f"init {who}", aip(who, "init", "--name", who).returncode == 0)
        did[who] = json.loads(aip(who, "did", "show", "--json").stdout)["did"]
    g.check("fay registers", aip("fay", "register", "--description", "rotates", registry=url_a).returncode == 0)
    g.check("dan vouches for fay", aip("dan", "vouch", did["fay"], "--publish", registry=url_a).returncode == 0)
    g.check("fay vouches for hal", aip("fay", "vouch", did["hal"], "--publish", registry=url_a).returncode == 0)
    g.check("erin anchors dan", aip("erin", "trust", "anchors", "add", did["dan"]).returncode == 0)
    g.check("erin syncs", aip("erin", "trust", "sync", registry=url_a).returncode == 0)
    g.check("fay scores 0.8 from erin's anchor", aip("erin", "trust", "score", did["fay"]).stdout.strip() == "0.8000")
    import shutil
    shutil.copytree(os.path.join(work, "fay"), os.path.join(work, "fay-old"))  # What a thief of the old key holds.
    r = aip("fay", "key", "rotate", "--publish", "--json", registry=url_a)
    rotated = json.loads(r.stdout) if r.returncode == 0 else {}
    new_fay = rotated.get("current", "")
    g.check("key rotate --publish: rotation, registration and re-signed vouch published",
            rotated.get("previous") == did["fay"] and rotated.get("vouches_resigned") == 1 and
            rotated.get("published", {}).get("rotations") == 1 and rotated.get("published", {}).get("registered") == new_fay and
            rotated.get("published", {}).get("vouches") == 1, r.stdout + r.stderr)
    listed = [a["did"] for a in json.loads(aip("erin", "search", "fay", "--json", registry=url_a).stdout)["agents"]]
    g.check("the directory lists the new key only", listed == [new_fay], listed)
    r = aip("erin", "trust", "sync", registry=url_a)
    g.check("sync brings the rotation", r.returncode == 0 and "1 new rotations/deactivations" in r.stdout, r.stdout + r.stderr)
    g.check("the new key keeps the score from erin's anchor", aip("erin", "trust", "score", new_fay).stdout.strip() == "0.8000")
    old = json.loads(aip("erin", "trust", "score", did["fay"], "--json").stdout)
    g.check("the old key scores 0, saying why", old["score"] == 0 and new_fay in old.get("note", ""), old)
    g.check("fay's re-signed vouch carries hal", aip("erin", "trust", "score", did["hal"]).stdout.strip() == "0.6400")
    r = aip("erin", "trust", "query", new_fay, "--anchor", did["dan"], "--json", registry=url_a)
    q = json.loads(r.stdout) if r.returncode == 0 else {}
    g.check("the registry's answer follows the rotation, its vouch for the old key checked through the chain",
            abs(q.get("score", 0) - 0.8) < 1e-3 and q.get("verified_vouches") == 1, r.stdout + r.stderr)
    r = aip("fay-old", "register", registry=url_a)
    g.check("the old key cannot write", r.returncode == 3 and "rotated to" in r.stderr, r.stderr)
    r = aip("fay-old", "key", "rotate", "--publish", registry=url_a)
    g.check("the old key alone cannot rotate the identity again", r.returncode == 3 and "already rotated" in r.stderr, r.stderr)
    r = aip("fay", "deactivate", registry=url_a)
    g.check("deactivate asks for --yes", r.returncode == 2 and "--yes" in r.stderr, r.stderr)
    r = aip("fay", "deactivate", "--yes", "--publish", registry=url_a)
    g.check("deactivate --yes --publish", r.returncode == 0 and "Deactivated " + new_fay in r.stdout, r.stdout + r.stderr)
    r = aip("fay", "register", registry=url_a)
    g.check("a deactivated identity signs nothing more", r.returncode == 3 and "deactivated" in r.stderr, r.stderr)
    r = aip("dan", "vouch", new_fay, "--publish", registry=url_a)
    g.check("the registry refuses vouches for it", r.returncode == 3 and "deactivated" in r.stderr, r.stderr)
    g.check("erin syncs the deactivation", aip("erin", "trust", "sync", registry=url_a).returncode == 0)
    ended = json.loads(aip("erin", "trust", "score", new_fay, "--json").stdout)
    g.check("erin's engine drops the identity", ended["score"] == 0 and ended.get("note") == "identity deactivated", ended)
    g.check("and its vouch for hal", aip("erin", "trust", "score", did["hal"]).stdout.strip() == "0.0000")

    # kill -9 during a burst of writes: every acknowledged write survives.
    crash_db = database("crash")
    crash, crash_url = serve("crash", crash_db)
    acked, lock = [], threading.Lock()
    killed = threading.Event()

    def writer(i):
        # Writes go on until just after the kill: the kill lands during the burst.
        n = 0
        while not killed.is_set():
            r = aip("alice", "vouch", did["bob"], "--statement", f"w{i}-{n}", "--publish", "--db",
                    os.path.join(work, f"crash-trust-{i}.db"), registry=crash_url)
            n += 1
            if r.returncode == 0 and "(created)" in r.stderr:
                with lock:
                    acked.append(r.stderr.split(": sha256:")[1].split()[0])

    def killer():
        # Kill once some writes are acknowledged, by their count, not a fixed time: under the
        # sanitizers or a loaded machine each write takes longer (bounded at 60 s).
        deadline = time.time() + 60
        while time.time() < deadline:
            with lock:
                if len(acked) >= 8:
                    break
            time.sleep(0.02)
        crash.send_signal(signal.SIGKILL)
        time.sleep(0.3)  # The writes in flight meet a dead server.
        killed.set()

    with ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(writer, i) for i in range(4)] + [pool.submit(killer)]
        for f in futures:
            f.result()
    crash.wait(timeout=10)
    g.check("writes were acknowledged before the kill", len(acked) >= 5, len(acked))
    crash2, crash_url2 = serve("crash-restart", crash_db)
    held = {v["id"].split(":")[1] for v in api(f"{crash_url2}/v1/vouches?issuer={did['alice']}&limit=1000")["vouches"]}
    lost = [a for a in acked if a not in held]
    g.check(f"no acknowledged write lost ({len(acked)} acknowledged)", not lost, f"lost {len(lost)}")
    print(f"kill -9: {len(acked)} acknowledged writes, {len(lost)} lost ({BACKEND})")
finally:
    rc = g.finish()
    if cluster:
        cluster.stop()
sys.exit(rc)
