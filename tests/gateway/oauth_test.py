#!/usr/bin/env python3
"""The gateway as an OAuth 2.1 resource server, end to end, against a real OAuth/OIDC server
(npm oauth2-mock-server on 127.0.0.1, tests/node/oauth_server.mjs) that issues the tokens.

Checks: Protected Resource Metadata at both well-known locations; 401 with a Bearer challenge
naming it; a good at+jwt token accepted (raw HTTP and `aip call --bearer-env`); policy on the
user and the acting client ("this agent, for this user") and scopes; every RFC 8725 attack
refused (alg none, RS256→HS256 with the public key as the secret, kid injection, wrong aud,
wrong iss, expired, a token for another resource, jku/x5u pointing at an attacker's keys, wrong
typ); the issuer's keys rotated mid-test (a new kid is fetched once; a flood of unknown kids does
not hammer the issuer); the token never reaches the upstream.

Usage: oauth_test.py BIN_DIR NODE_DIR
"""
import base64, hashlib, hmac, json, os, re, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gwlib
from gwlib import AIP, NODE, NODE_DIR, check, free_port, get, post, run

work = gwlib.init("aip-oauth-")
PROJECT = {"mcp-param-project": "project-a"}


class Issuer:
    """One oauth2-mock-server, driven line by line."""

    def __init__(self):
        self.p = subprocess.Popen([NODE, os.path.join(NODE_DIR, "oauth_server.mjs")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd=NODE_DIR)
        gwlib.procs.append(self.p)
        hello = json.loads(self.p.stdout.readline())
        self.url, self.kid = hello["issuer"], hello["kid"]

    def cmd(self, **c):
        self.p.stdin.write(json.dumps(c) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def token(self, claims=None, header=None, **kw):
        return self.cmd(op="token", claims=claims or {}, header=header or {}, **kw)["token"]


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def call(url, token, tool="tasks.list_tasks"):
    return post(url, "tools/call", {"name": tool, "arguments": {"project": "project-a"}},
                headers={**PROJECT, "authorization": "Bearer " + token})


try:
    home, agent_home, other_home = (os.path.join(work, d) for d in ("home", "agent", "other"))
    for h_, name in [(home, "gateway"), (agent_home, "agent"), (other_home, "other-agent")]:
        run([AIP, "init", "--name", name], home=h_)
    agent_did = gwlib.did_of(agent_home)
    issuer = Issuer()
    attacker = Issuer()  # Another authorization server, with keys of its own.

    upstream_key = "upstream-key-" + os.urandom(8).hex()
    introspection_secret = "gw-secret-" + os.urandom(6).hex()
    env = dict(os.environ, TASKS_KEY=upstream_key, INTROSPECTION_SECRET=introspection_secret)
    tasks_url, recorded_path = gwlib.start_tasks_server(env)

    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    gw_log = gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
[oauth]
issuer = "{issuer.url}"
scopes_supported = ["tasks:read"]
jwks_cooldown = "3s"
introspection_endpoint = "{issuer.url}/introspect/opaque"
introspection_client_id = "aip-gateway"
introspection_secret_env = "INTROSPECTION_SECRET"
introspection_cache = "2s"
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "agent-7-for-alice"
effect = "allow"
kinds = ["user"]
subjects = ["alice"]
clients = ["agent-7"]
scopes = ["tasks:read"]
targets = ["list_tasks"]
[[rule]]
id = "reporting-service"
effect = "allow"
principals = ["svc-reports"]
scopes = ["tasks:read"]
targets = ["list_tasks"]
[[rule]]
id = "signed-agent-for-alice"
effect = "allow"
kinds = ["user"]
subjects = ["alice"]
agents = ["{agent_did}"]
targets = ["create_task"]
""", env, home)
    base = f"http://127.0.0.1:{port}"

    # --- discovery ------------------------------------------------------------------------
    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]:
        st, body = get(base + path)
        prm = json.loads(body) if st == 200 else {}
        check(f"Protected Resource Metadata at {path}", prm.get("resource") == url
              and prm.get("authorization_servers") == [issuer.url] and prm.get("scopes_supported") == ["tasks:read"], f"{st} {body}")
    st, h, resp = post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}}, headers=PROJECT)
    challenge = {k.lower(): v for k, v in h.items()}.get("www-authenticate", "")
    check("401 without a token names the metadata", st == 401 and
          f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"' in challenge, f"{st} {challenge}")

    good_claims = {"aud": url, "sub": "alice", "client_id": "agent-7", "scope": "tasks:read"}
    AT = {"typ": "at+jwt"}
    good = issuer.token(good_claims, AT)
    st, _, resp = call(url, good)
    check("a good access token is accepted", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = call(url, good)
    check("and accepted again (cached)", st == 200 and "result" in resp, f"{st} {resp}")
    r = run([AIP, "call", url, "tasks.list_tasks", "--no-sign", "--bearer-env", "TOKEN", "--args", '{"project":"project-a"}'],
            env_extra={"TOKEN": good}, home=home)
    check("aip call --bearer-env", r.returncode == 0 and "task" in r.stdout, r.stdout + r.stderr)

    # --- policy on the user and the agent -------------------------------------------------
    st, _, resp = call(url, issuer.token({**good_claims, "sub": "bob"}, AT))
    check("another user: denied with its reason (200, -31003, no_rule)",
          st == 200 and resp["error"]["code"] == -31003 and resp["error"]["data"]["reason"] == "no_rule", f"{st} {resp}")
    st, _, resp = call(url, issuer.token({**good_claims, "client_id": "agent-8"}, AT))
    check("another agent for the same user: denied (200, -31003)", st == 200 and resp["error"]["code"] == -31003, f"{st} {resp}")
    st, _, resp = call(url, issuer.token({**good_claims, "client_id": "portal", "act": {"sub": "agent-7"}}, AT))
    check("the agent acting through a token exchange (act): allowed", st == 200, f"{st} {resp}")
    st, h, resp = call(url, issuer.token({**good_claims, "scope": "tasks:write"}, AT))
    step_up = {k.lower(): v for k, v in h.items()}.get("www-authenticate", "")
    check("without the scope: 403 insufficient_scope naming the scopes that would do", st == 403
          and 'error="insufficient_scope"' in step_up and 'scope="tasks:write tasks:read"' in step_up
          and "resource_metadata=" in step_up and resp["error"]["data"]["requiredScopes"] == ["tasks:write", "tasks:read"],
          f"{st} {step_up} {resp}")
    st, h, resp = call(url, issuer.token({**good_claims, "sub": "bob"}, AT))
    check("a denial no scope can fix is no 403 and names no scope", st == 200 and "insufficient_scope" not in json.dumps(h)
          and "requiredScopes" not in resp["error"].get("data", {}), f"{st} {h} {resp}")

    # --- the user's token and the agent's own signature, together ---------------------------
    agent_token = issuer.token({**good_claims, "client_id": agent_did}, AT)
    # --sign: a token alone names the caller; delegation adds the agent's own proof.
    create = ["tasks.create_task", "--bearer-env", "TOKEN", "--sign", "--args", '{"project":"project-a","title":"signed"}']
    r = run([AIP, "call", url, *create], env_extra={"TOKEN": agent_token}, home=agent_home)
    check("a token for alice plus a signed call from its agent: allowed by an agents rule", r.returncode == 0, r.stdout + r.stderr)
    st, _, resp = post(url, "tools/call", {"name": "tasks.create_task", "arguments": {"project": "project-a", "title": "unsigned"}},
                       headers={**PROJECT, "authorization": "Bearer " + agent_token})
    check("the same token without the agent's signature: denied (200, -31003)", st == 200 and resp["error"]["code"] == -31003,
          f"{st} {resp}")
    r = run([AIP, "call", url, *create], env_extra={"TOKEN": agent_token}, home=other_home)
    check("the token signed for by another agent: refused", r.returncode != 0 and "agent" in r.stderr, r.stdout + r.stderr)

    # --- a service: aip call gets its own token (client-credentials grant) -------------------
    svc_secret = "svc-secret-" + os.urandom(6).hex()
    r = run([AIP, "call", url, "tasks.list_tasks", "--no-sign", "--client-id", "svc-reports", "--client-secret-env", "SVC",
             "--scope", "tasks:read", "--args", '{"project":"project-a"}'], env_extra={"SVC": svc_secret}, home=home)
    asked = issuer.cmd(op="last_token_request")
    check("aip call --client-id: discovers the AS from the resource metadata and gets a token for this resource",
          r.returncode == 0 and "task" in r.stdout and asked.get("grant_type") == "client_credentials"
          and asked.get("resource") == url and asked.get("scope") == "tasks:read"
          and asked.get("client_id") == "svc-reports" and asked.get("client_secret") == svc_secret, r.stdout + r.stderr + json.dumps(asked))
    r = run([AIP, "call", url, "tasks.create_task", "--no-sign", "--client-id", "svc-reports", "--client-secret-env", "SVC",
             "--args", '{"project":"project-a","title":"x"}'], env_extra={"SVC": svc_secret}, home=home)
    check("the service's token is refused where policy gives it nothing", r.returncode != 0, r.stdout + r.stderr)
    check("the client secret never shows in the gateway's log", svc_secret not in open(gw_log).read())

    # --- a user: aip call --login signs in (authorization code + PKCE) when the gateway asks ---
    browser = "python3 " + os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "headless_browser.py")
    r = run([AIP, "call", url, "tasks.list_tasks", "--no-sign", "--login", "--client-id", "agent-7", "--browser", browser,
             "--login-timeout", "20s", "--args", '{"project":"project-a"}'], home=home)
    asked = issuer.cmd(op="last_token_request")
    check("aip call --login: 401 → resource metadata → AS metadata → browser sign-in → code + verifier → token for this resource",
          r.returncode == 0 and "task" in r.stdout and "Sign in to continue" in r.stderr
          and asked.get("grant_type") == "authorization_code" and asked.get("resource") == url
          and len(asked.get("code_verifier", "")) == 43 and asked.get("client_id") == "agent-7"
          and asked.get("redirect_uri", "").startswith("http://127.0.0.1:"), r.stdout + r.stderr + json.dumps(asked))
    r = run([AIP, "call", url, "tasks.create_task", "--no-sign", "--login", "--client-id", "agent-7", "--browser", browser,
             "--login-timeout", "20s", "--args", '{"project":"project-a","title":"x"}'], home=home)
    check("the sign-in is kept for the next command, whose call is still subject to policy (denied, no sign-in)",
          r.returncode != 0 and r.stderr.count("Sign in to continue") == 0, r.stdout + r.stderr)
    tokens = os.path.join(home, "tokens")
    kept = os.listdir(tokens) if os.path.isdir(tokens) else []
    check("the kept sign-in is one file per server, mode 0600, in a 0700 folder",
          len(kept) == 1 and os.stat(os.path.join(tokens, kept[0])).st_mode & 0o777 == 0o600
          and os.stat(tokens).st_mode & 0o777 == 0o700, str(kept))
    kept_token = json.load(open(os.path.join(tokens, kept[0])))["access_token"] if kept else ""
    check("the kept file is named by a digest of the URL, and its token reaches neither the gateway's log nor the output",
          len(kept) == 1 and re.fullmatch(r"[0-9a-f]{32}\.json", kept[0]) and len(kept_token) > 20
          and kept_token not in open(gw_log).read() and kept_token not in r.stdout + r.stderr, str(kept))
    r = run([AIP, "logout", url], home=home)
    check("aip logout URL forgets it", r.returncode == 0 and "signed out of" in r.stdout and not os.listdir(tokens), r.stdout + r.stderr)
    r = run([AIP, "call", url, "tasks.list_tasks", "--no-sign", "--login", "--client-id", "agent-7", "--browser", browser,
             "--login-timeout", "20s", "--args", '{"project":"project-a"}'], home=home)
    check("after logout the next --login signs in again", r.returncode == 0 and r.stderr.count("Sign in to continue") == 1,
          r.stdout + r.stderr)

    # --- RFC 8725 attacks: each must be a 401 ---------------------------------------------
    head, payload, _ = good.split(".")
    attacks = {}
    attacks["alg none"] = b64(b'{"alg":"none","typ":"at+jwt"}') + "." + payload + "."
    attacks["alg none, signature kept"] = b64(b'{"alg":"none","typ":"at+jwt"}') + "." + payload + "." + good.split(".")[2]
    public = next(k for k in issuer.cmd(op="jwks")["keys"] if k["kid"] == issuer.kid)
    for label, secret in [("JWK JSON", json.dumps(public).encode()), ("modulus", unb64(public["n"]))]:
        h_ = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": issuer.kid}).encode())
        mac = hmac.new(secret, f"{h_}.{payload}".encode(), hashlib.sha256).digest()
        attacks[f"RS256→HS256 with the public key ({label}) as the secret"] = f"{h_}.{payload}.{b64(mac)}"
    for kid in ["../../../../dev/null", "' OR '1'='1", "http://evil.example/key"]:
        h_ = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}).encode())
        attacks[f"kid injection {kid!r}"] = f"{h_}.{payload}.{b64(hmac.new(b'', f'{h_}.{payload}'.encode(), hashlib.sha256).digest())}"
    attacks["wrong aud"] = issuer.token({**good_claims, "aud": "http://127.0.0.1:1/mcp"}, AT)
    attacks["no aud"] = issuer.token(good_claims, AT, remove=["aud"])
    attacks["a token for another resource"] = issuer.token({**good_claims, "aud": "https://calendar.example/mcp"}, AT)
    attacks["wrong iss (signed by the real key)"] = issuer.token({**good_claims, "iss": "http://evil.example"}, AT)
    attacks["expired"] = issuer.token(good_claims, AT, expiresIn=-600)
    attacks["typ JWT, not at+jwt"] = issuer.token(good_claims, {"typ": "JWT"})
    jku = {"typ": "at+jwt", "jku": attacker.url + "/jwks", "x5u": attacker.url + "/cert"}
    attacks["jku/x5u to the attacker's keys (same kid)"] = attacker.token({**good_claims, "iss": issuer.url}, jku)
    attacks["embedded jwk of the attacker"] = attacker.token({**good_claims, "iss": issuer.url},
                                                             {"typ": "at+jwt", "jwk": attacker.cmd(op="jwks")["keys"][0]})
    attacks["another issuer's token"] = attacker.token(good_claims, AT)
    attacks["a modified payload"] = head + "." + b64(json.dumps({**json.loads(unb64(payload)), "sub": "alice", "scope": "tasks:read tasks:admin"}).encode()) + "." + good.split(".")[2]
    for label, token in attacks.items():
        st, _, resp = call(url, token)
        check(f"attack refused: {label}", st == 401 and resp["error"]["code"] == -31001, f"{st} {resp}")

    # --- key rotation ---------------------------------------------------------------------
    def fetches():
        _, metrics = get(base + "/metrics")
        line = next((l for l in metrics.splitlines() if l.startswith("aip_gateway_jwks_fetches_total")), "x 0")
        return float(line.split()[-1])
    time.sleep(3.2)  # Past the cooldown of the attacks' unknown kids.
    before = fetches()
    issuer.cmd(op="rotate", alg="ES256", kid="es-2")
    rotated = issuer.token(good_claims, AT, kid="es-2")
    st, _, resp = call(url, rotated)
    check("a token from the issuer's new key is accepted (keys re-fetched)", st == 200, f"{st} {resp}")
    check("one fetch for the new kid", fetches() == before + 1, f"{before} -> {fetches()}")
    issuer.cmd(op="rotate", alg="EdDSA", kid="ed-3")
    st, _, resp = call(url, issuer.token(good_claims, AT, kid="ed-3"))
    check("within the cooldown, a second new kid waits (refused, no fetch)", st == 401 and fetches() == before + 1, f"{st} {resp}")
    flood_before = fetches()
    refused = 0
    for i in range(20):  # Twenty tokens, each naming a kid the issuer never had.
        forged = attacker.token({**good_claims, "iss": issuer.url}, {"typ": "at+jwt", "kid": f"forged-{i}"}, kid=attacker.kid)
        refused += call(url, forged)[0] == 401
    check("a flood of unknown kids is refused and costs at most one fetch per cooldown",
          refused == 20 and fetches() - flood_before <= 1, f"{refused} refused, fetches {flood_before} -> {fetches()}")
    time.sleep(3.2)
    st, _, resp = call(url, issuer.token(good_claims, AT, kid="ed-3"))
    check("after the cooldown, the EdDSA key is there", st == 200, f"{st} {resp}")

    # --- DPoP: a token bound to the client's key -------------------------------------------
    client = issuer.cmd(op="dpop_key")
    bound = issuer.token({**good_claims, "cnf": {"jkt": client["jkt"]}}, AT)
    ath = b64(hashlib.sha256(bound.encode()).digest())

    def dpop_call(token, proof):
        return post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                    headers={**PROJECT, "authorization": "DPoP " + token, "dpop": proof})
    proof = issuer.cmd(op="dpop_proof", id=client["id"], htm="POST", htu=url, ath=ath)["proof"]
    st, _, resp = dpop_call(bound, proof)
    check("DPoP: a bound token with its proof is accepted", st == 200, f"{st} {resp}")
    st, _, resp = dpop_call(bound, proof)
    check("DPoP: a replayed proof is refused", st == 401 and "replay" in resp["error"]["message"], f"{st} {resp}")
    st, _, resp = call(url, bound)
    check("DPoP: the bound token sent as a plain bearer token is refused", st == 401, f"{st} {resp}")
    st, _, resp = dpop_call(bound, issuer.cmd(op="dpop_proof", id=client["id"], htm="POST", htu=base + "/other", ath=ath)["proof"])
    check("DPoP: a proof for another URI is refused", st == 401, f"{st} {resp}")
    thief = issuer.cmd(op="dpop_key")
    st, _, resp = dpop_call(bound, issuer.cmd(op="dpop_proof", id=thief["id"], htm="POST", htu=url, ath=ath)["proof"])
    check("DPoP: a stolen token with the thief's own key is refused", st == 401, f"{st} {resp}")
    check("the 401 challenge offers DPoP", "DPoP algs=" in challenge, challenge)

    # --- opaque tokens, by introspection (RFC 7662) -----------------------------------------
    opaque = issuer.cmd(op="opaque", claims=good_claims)["token"]
    st, _, resp = call(url, opaque)
    check("an opaque token is introspected and accepted", st == 200, f"{st} {resp}")
    asked = issuer.cmd(op="introspections")
    expected_basic = "Basic " + base64.b64encode(f"aip-gateway:{introspection_secret}".encode()).decode()
    check("the gateway authenticates to the introspection endpoint with its own client", asked["authorization"] == expected_basic,
          asked["authorization"][:20])
    call(url, opaque)
    check("a second use is answered from the cache", issuer.cmd(op="introspections")["count"] == asked["count"])
    for label, claims in [("for another resource", {**good_claims, "aud": "https://other.example/mcp"}),
                          ("from another issuer", {**good_claims, "iss": "http://evil.example"}),
                          ("expired", {**good_claims, "exp": int(time.time()) - 600}),
                          ("without an expiry", {**good_claims, "exp": None})]:
        st, _, resp = call(url, issuer.cmd(op="opaque", claims=claims)["token"])
        check(f"an opaque token {label} is refused", st == 401, f"{st} {resp}")
    st, _, resp = call(url, "opaque-never-issued")
    check("an unknown opaque token is refused (inactive)", st == 401 and "not active" in resp["error"]["message"], f"{st} {resp}")
    issuer.cmd(op="revoke_opaque", token=opaque)
    time.sleep(2.2)
    st, _, resp = call(url, opaque)
    check("a token revoked at the server stops working within the introspection cache", st == 401, f"{st} {resp}")

    # --- HS256 with a secret shared with the issuer (no key set fetched) --------------------
    hs_secret = "hs256-shared-secret-" + os.urandom(16).hex()
    hs_port = free_port()
    hs_url = f"http://127.0.0.1:{hs_port}/mcp"
    hs_log = gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{hs_port}"
[oauth]
issuer = "https://hs.example.com"
hs256_secret_env = "HS_SECRET"
dpop_nonce = true
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "alice"
effect = "allow"
subjects = ["alice"]
targets = ["list_tasks"]
""", dict(env, HS_SECRET=hs_secret), home, name="gateway-hs256")

    def hs256(claims, secret=hs_secret, header=None):
        head = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", **(header or {})}).encode())
        body = b64(json.dumps({"iss": "https://hs.example.com", "aud": hs_url, "sub": "alice",
                               "iat": int(time.time()), "exp": int(time.time()) + 300, **claims}).encode())
        sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{b64(sig)}"
    st, _, resp = call(hs_url, hs256({}))
    check("[oauth] hs256_secret_env: an HS256 token signed with the shared secret is accepted", st == 200 and "result" in resp, f"{st} {resp}")
    for name, token in [("another secret", hs256({}, secret="x" * 40)),
                        ("another issuer", hs256({"iss": "https://evil.example.com"})),
                        ("the real issuer's RS256 token", issuer.token({**good_claims, "aud": hs_url}, AT)),
                        ("alg none", b64(b'{"alg":"none","typ":"at+jwt"}') + "." + hs256({}).split(".")[1] + ".")]:
        st, _, resp = call(hs_url, token)
        check(f"HS256 gateway refuses a token with {name}", st == 401, f"{st} {resp}")
    # DPoP server nonces (RFC 9449 §9), on this gateway: a proof without one is answered with one.
    hs_bound = hs256({"cnf": {"jkt": client["jkt"]}})
    hs_ath = b64(hashlib.sha256(hs_bound.encode()).digest())

    def hs_dpop_call(nonce=None):
        proof = issuer.cmd(op="dpop_proof", id=client["id"], htm="POST", htu=hs_url, ath=hs_ath, nonce=nonce)["proof"]
        return post(hs_url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                    headers={**PROJECT, "authorization": "DPoP " + hs_bound, "dpop": proof})
    st, h, resp = hs_dpop_call()
    h = {k.lower(): v for k, v in h.items()}
    server_nonce = h.get("dpop-nonce", "")
    check("dpop_nonce: a proof without a nonce gets 401 use_dpop_nonce and a DPoP-Nonce header",
          st == 401 and 'error="use_dpop_nonce"' in h.get("www-authenticate", "") and len(server_nonce) >= 32, f"{st} {h} {resp}")
    st, _, resp = hs_dpop_call(server_nonce)
    check("dpop_nonce: the same call with the server's nonce is accepted", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = hs_dpop_call(server_nonce[:-2] + ("AA" if not server_nonce.endswith("AA") else "BB"))
    check("dpop_nonce: a forged nonce is refused", st == 401 and resp["error"]["data"]["reason"] == "use_dpop_nonce", f"{st} {resp}")

    # Two instances behind one public URL, given one dpop_nonce_secret: a nonce from one is good
    # on the other (no sticky routing); the gateway above, with a key of its own, refuses it.
    shared_public = "https://gw.example/mcp"
    nonce_secret = os.urandom(24).hex()
    pair = []
    for i in range(2):
        port = free_port()
        gwlib.start_gateway(f"""
[gateway]
listen = "127.0.0.1:{port}"
public_url = "{shared_public}"
[oauth]
issuer = "https://hs.example.com"
hs256_secret_env = "HS_SECRET"
dpop_nonce = true
dpop_nonce_secret_env = "DPOP_NONCE_SECRET"
{gwlib.tasks_upstream(tasks_url)}[[rule]]
id = "alice"
effect = "allow"
subjects = ["alice"]
targets = ["list_tasks"]
""", dict(env, HS_SECRET=hs_secret, DPOP_NONCE_SECRET=nonce_secret), home, name=f"gateway-dpop-{i}")
        pair.append(f"http://127.0.0.1:{port}/mcp")
    pair_bound = hs256({"cnf": {"jkt": client["jkt"]}, "aud": shared_public})
    pair_ath = b64(hashlib.sha256(pair_bound.encode()).digest())

    def pair_call(url, nonce=None):
        proof = issuer.cmd(op="dpop_proof", id=client["id"], htm="POST", htu=shared_public, ath=pair_ath, nonce=nonce)["proof"]
        return post(url, "tools/call", {"name": "tasks.list_tasks", "arguments": {"project": "project-a"}},
                    headers={**PROJECT, "authorization": "DPoP " + pair_bound, "dpop": proof})
    st, h, resp = pair_call(pair[0])
    first_nonce = {k.lower(): v for k, v in h.items()}.get("dpop-nonce", "")
    check("dpop_nonce_secret: instance A hands out a nonce", st == 401 and len(first_nonce) >= 32, f"{st} {resp}")
    st, _, resp = pair_call(pair[1], first_nonce)
    check("dpop_nonce_secret: instance B accepts A's nonce", st == 200 and "result" in resp, f"{st} {resp}")
    st, _, resp = hs_dpop_call(first_nonce)
    check("a gateway without the shared secret refuses it", st == 401 and resp["error"]["data"]["reason"] == "use_dpop_nonce", f"{st} {resp}")
    r = run([AIP, "gateway", "check-config", os.path.join(gwlib.work, "gateway-dpop-0.toml")],
            env_extra={"HS_SECRET": hs_secret, "DPOP_NONCE_SECRET": "short"}, home=home)
    check("check-config: a short DPoP nonce secret is refused", r.returncode != 0 and "32 bytes" in r.stderr, r.stdout + r.stderr)
    check("the DPoP nonce secret never shows in the logs",
          all(nonce_secret not in open(os.path.join(gwlib.work, f"gateway-dpop-{i}.log")).read() for i in range(2)))

    r = run([AIP, "gateway", "check-config", os.path.join(gwlib.work, "gateway-hs256.toml")],
            env_extra={"HS_SECRET": "too-short"}, home=home)
    check("check-config: a short HS256 secret is refused", r.returncode != 0 and "32 bytes" in r.stderr, r.stdout + r.stderr)
    check("the HS256 secret never shows in the log", hs_secret not in open(hs_log).read())

    # --- no token passthrough ------------------------------------------------------------
    recorded = [json.loads(l) for l in open(recorded_path)]
    seen = json.dumps(recorded)
    check("the upstream never saw a token, only its own key", recorded and good not in seen and "authorization" not in seen.lower()
          and all(r["headers"].get("x-api-key") == upstream_key for r in recorded))
    log = open(gw_log).read()
    check("no token or secret in the gateway's log", good.split(".")[2] not in log and opaque not in log
          and introspection_secret not in log)
finally:
    sys.exit(gwlib.finish())
