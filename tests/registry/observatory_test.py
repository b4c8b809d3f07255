"""The Trust Observatory in a real browser: seeds a registry through the CLI (a small network with
a path anchor → hub → leaf, and an agent whose name and description hold a <script>), then drives
Debian's Chromium with playwright-core (observatory.mjs). Screenshots: ARTIFACTS/registry-ui/.

Usage: observatory_test.py BIN_DIR NODE_TOOLS_DIR ARTIFACTS
"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
import gwlib as g

work = g.init("aip-observatory-")
try:
    log = os.path.join(work, "registry.log")
    g.start([g.AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{work}/reg/registry.db",
             "--request-rate", "10000", "--write-rate", "10000"], log, dict(os.environ, AIP_HOME=os.path.join(work, "reg")))
    url = "http://127.0.0.1:" + g.wait_log(log, r'"event":"registry_listening".*?"port":(\d+)').group(1)
    names = ["anchor", "hub", "leaf", "other", "<script>window.__xss=1;alert(1)</script>"]
    agents = []
    for i, name in enumerate(names):
        home = os.path.join(work, f"a{i}")
        g.check(f"init {i}", g.run([g.AIP, "init", "--name", f"agent{i}"], home=home).returncode == 0)
        r = g.run([g.AIP, "register", "--name", name, "--description", name + " <img src=x onerror=alert(2)>"],
                  env_extra={"AIP_REGISTRY": url}, home=home)
        g.check(f"register {i}", r.returncode == 0, r.stderr)
        agents.append({"name": name, "did": json.loads(g.run([g.AIP, "did", "show", "--json"], home=home).stdout)["did"],
                       "home": home})
    vouches = [(0, 1, 0.9), (1, 2, 0.8), (0, 3, 0.5), (3, 4, 0.3)]
    for a, b, w in vouches:
        r = g.run([g.AIP, "vouch", agents[b]["did"], "--weight", str(w), "--publish"],
                  env_extra={"AIP_REGISTRY": url}, home=agents[a]["home"])
        g.check(f"vouch {a}->{b}", r.returncode == 0, r.stderr)
    seed = {"agents": [{"name": a["name"], "did": a["did"]} for a in agents], "vouches": len(vouches), "graph_nodes": 5,
            "anchor": agents[0]["did"], "subject": agents[2]["did"], "expected_score": 0.8 * 0.9 * 0.8 * 0.8,
            "path": [agents[0]["did"], agents[1]["did"], agents[2]["did"]]}
    seed_file = os.path.join(work, "seed.json")
    json.dump(seed, open(seed_file, "w"))
    artifacts = os.path.join(os.path.abspath(sys.argv[3]), "registry-ui")
    r = subprocess.run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "observatory.mjs"),
                        os.path.abspath(sys.argv[2]), url, seed_file, artifacts], capture_output=True, text=True, timeout=180)
    print(r.stdout + r.stderr)
    g.check("browser checks", r.returncode == 0)
    print(f"screenshots: {artifacts}")
finally:
    rc = g.finish()
sys.exit(rc)
