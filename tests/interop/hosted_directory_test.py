#!/usr/bin/env python3
"""A registry hosting its agents' Web Bot Auth key directories, end to end (docs/web-bot-auth.md,
"Hosted by a registry"):
  - `aip registry serve --bot-domain bots.test:PORT` over HTTPS (a CA of the test's own; the
    certificate names *.bots.test);
  - Alice registers and `aip webbotauth publish --name alice`; the registry serves her signed
    directory at https://alice.bots.test:PORT/.well-known/http-message-signatures-directory, and
    nothing else at that origin; a name another agent holds is refused;
  - a gateway admits `aip call --web-bot-auth --signature-agent https://alice.bots.test:PORT` as
    the bot `https://alice.bots.test:PORT#<thumbprint>`, after fetching and checking the hosted
    directory; Bob, whose name hosts nothing, is refused; after `aip webbotauth unpublish`, Alice
    is refused too.
The gateway reaches *.bots.test at 127.0.0.1 through a hosts file seen by it alone (a private
mount namespace); where the system allows none, the test says so and exits 77 (skipped).

Usage: hosted_directory_test.py BIN_DIR"""
import http.client
import json
import os
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gateway"))
import gwlib  # noqa: E402
from gwlib import AIP, check, free_port, run  # noqa: E402

work = gwlib.init("aip-wba-hosted-")
wrap = gwlib.with_hosts(["alice.bots.test", "bob.bots.test"])
if wrap is None:
    print("SKIPPED: no private mount namespace here (unshare --user --mount), so *.bots.test cannot be pointed at 127.0.0.1")
    gwlib.finish()
    sys.exit(77)
try:
    ca, cert, key = gwlib.make_certificate(["*.bots.test"], ips=["127.0.0.1"])
    env = dict(os.environ, SSL_CERT_FILE=ca)  # aip's HTTPS clients trust the test's CA.

    # --- the registry, hosting directories under bots.test:PORT -------------------------------------
    rport = free_port()
    registry = f"https://127.0.0.1:{rport}"
    domain = f"bots.test:{rport}"
    log = os.path.join(work, "registry.log")
    gwlib.start([AIP, "registry", "serve", "--listen", f"127.0.0.1:{rport}", "--db", f"sqlite:{work}/registry.db", "--tls-cert", cert,
                 "--tls-key", key, "--bot-domain", domain], log, dict(env, AIP_HOME=os.path.join(work, "registry")))
    gwlib.wait_log(log, '"event":"registry_listening"')
    r = run([AIP, "registry", "serve", "--listen", "127.0.0.1:0", "--public-url", "https://registry.bots.test", "--bot-domain", "bots.test"],
            home=os.path.join(work, "registry"))
    check("a bot domain the registry's own name falls under is refused", r.returncode == 2 and "bot-domain" in r.stderr, r.stderr)

    homes = {n: os.path.join(work, n) for n in ("alice", "bob", "gateway")}
    for name, home in homes.items():
        run([AIP, "init", "--name", name], home=home)

    def aip(who, *args):
        return run([AIP, *args], env_extra={"SSL_CERT_FILE": ca, "AIP_REGISTRY": registry}, home=homes[who])

    r = aip("alice", "webbotauth", "publish", "--name", "alice")
    check("an agent that is not registered cannot have its directory hosted", r.returncode != 0 and "register first" in r.stderr, r.stderr)
    for who in ("alice", "bob"):
        r = aip(who, "register")
        check(f"{who} registers", r.returncode == 0, r.stderr)
    r = aip("alice", "webbotauth", "publish", "--name", "alice", "--lifetime", "1h", "--json")
    hosted = json.loads(r.stdout) if r.returncode == 0 else {}
    check("aip webbotauth publish: the registry hosts Alice's directory at her own origin",
          hosted.get("origin") == f"https://alice.{domain}", r.stdout + r.stderr)
    r = aip("bob", "webbotauth", "publish", "--name", "alice")
    check("a name another agent holds is refused", r.returncode != 0 and "another agent's" in r.stderr, r.stderr)

    # --- what the registry serves for a hosted origin ----------------------------------------------
    tls = ssl.create_default_context(cafile=ca)

    def fetch(host, path):
        c = http.client.HTTPSConnection("127.0.0.1", rport, context=tls, timeout=10)
        c.request("GET", path, headers={"Host": f"{host}:{rport}"})
        res = c.getresponse()
        return res.status, dict((k.lower(), v) for k, v in res.getheaders()), res.read().decode()

    status, headers, body = fetch("alice.bots.test", "/.well-known/http-message-signatures-directory")
    alice_kid = json.loads(run([AIP, "webbotauth", "directory", "--authority", "x.example", "--json"], home=homes["alice"]).stdout)["keyid"]
    check("the hosted directory is served with its signature and lists Alice's key",
          status == 200 and headers.get("content-type") == "application/http-message-signatures-directory+json"
          and "signature" in headers and "signature-input" in headers and "content-digest" in headers
          and alice_kid in body, (status, headers, body[:300]))
    status, _, _ = fetch("alice.bots.test", "/v1/agents")
    check("a hosted origin serves its directory and nothing else", status == 404, status)
    status, _, _ = fetch("bob.bots.test", "/.well-known/http-message-signatures-directory")
    check("a name that hosts nothing answers 404", status == 404, status)

    # --- a gateway that fetches it ------------------------------------------------------------------
    genv = dict(env, TASKS_KEY="tasks-key-" + os.urandom(8).hex())
    tasks_url, _ = gwlib.start_tasks_server(genv)
    audit = os.path.join(work, "audit.jsonl")
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
denial_detail = "full"
[audit]
path = "{audit}"
[web_bot_auth]
origins = ["https://*.bots.test:{rport}"]
ca_file = "{ca}"
allow_private_directories = true   # the test's registry is on loopback
directory_min_ttl = "1s"
directory_max_ttl = "1s"
{gwlib.tasks_upstream(tasks_url)}
[[rule]]
id = "hosted-bots-read"
effect = "allow"
kinds = ["bot"]
principals = ["https://*.bots.test:{rport}#*"]
targets = ["list_tasks"]
""", genv, homes["gateway"], wrap=wrap)

    def bot_call(who):
        return aip(who, "call", url, "tasks.list_tasks", "--args", '{"project":"project-a"}', "--web-bot-auth", "--signature-agent",
                   f"https://{who}.{domain}")

    r = bot_call("alice")
    check("the gateway admits Alice's Web Bot Auth call through her hosted directory", r.returncode == 0, r.stdout + r.stderr)
    lines = [json.loads(line) for line in open(audit) if '"list_tasks"' in line]
    check("the audit line names her by her hosted origin and key",
          any(l.get("kind") == "bot" and l.get("agent") == f"https://alice.{domain}#{alice_kid}" for l in lines), lines[-1:])
    def refused_unhosted(r, who):
        """Refused because the registry serves no directory for `who`, and audited with the reason."""
        refusals = [json.loads(line) for line in open(audit) if '"unauthenticated"' in line]
        return (r.returncode != 0 and f"key directory of https://{who}.{domain}: HTTP 404" in r.stderr
                and refusals and refusals[-1].get("reason") == "bot_directory_unavailable")

    r = bot_call("bob")
    check("Bob, whose name hosts no directory, is refused (bot_directory_unavailable)", refused_unhosted(r, "bob"), r.stdout + r.stderr)

    r = aip("alice", "webbotauth", "unpublish", "--name", "alice")
    check("aip webbotauth unpublish", r.returncode == 0, r.stderr)
    time.sleep(1.5)  # The gateway keeps a directory at most directory_max_ttl.
    r = bot_call("alice")
    check("once unpublished, Alice's calls are refused", refused_unhosted(r, "alice"), r.stdout + r.stderr)
finally:
    sys.exit(gwlib.finish())
