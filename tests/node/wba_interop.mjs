// Web Bot Auth interop peer (npm web-bot-auth, Cloudflare's implementation), for
// tests/interop/web_bot_auth_test.py:
//   node wba_interop.mjs serve PUBLIC_JWK_JSON
//       an HTTP server on 127.0.0.1 (first line printed: {"port": N}) that checks each request's
//       Web Bot Auth signature with web-bot-auth's verifier and that key, prints
//       {"ok": true|false, "error"?, "signature_agent"?} per request, and answers 401 (it is no MCP server).
//   node wba_interop.mjs sign URL [SIGNATURE_AGENT]
//       a fresh Ed25519 key (or the private JWK in $WBA_KEY) signs a GET of URL the way a Web Bot
//       Auth agent does ($WBA_AGE seconds ago, default 0; 60 s lifetime); prints
//       {"headers": {...}, "jwks": {"keys": [public JWK]}}.
//   node wba_interop.mjs operator AUTHORITY KEY_FILE
//       an operator's key directory for https://AUTHORITY: a fresh Ed25519 key (its private JWK
//       written to KEY_FILE), the JWKS body, and the response headers signed with
//       http-message-sig over "@authority";req and content-digest (tag
//       http-message-signatures-directory, one hour); prints {"body", "headers"}.
import http from "node:http";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { signatureHeaders as signMessage } from "http-message-sig";
import { signatureHeaders, verify } from "web-bot-auth";
import { signerFromJWK, verifierFromJWK } from "web-bot-auth/crypto";

async function keyPair() {
  if (process.env.WBA_KEY) {
    const priv = JSON.parse(readFileSync(process.env.WBA_KEY, "utf8"));
    return { priv, pub: { kty: priv.kty, crv: priv.crv, x: priv.x } };
  }
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  return { priv: await crypto.subtle.exportKey("jwk", pair.privateKey), pub: await crypto.subtle.exportKey("jwk", pair.publicKey) };
}

const [mode, arg, agent] = process.argv.slice(2);
if (mode === "serve") {
  const jwk = JSON.parse(arg);
  const verifier = await verifierFromJWK(jwk);
  const server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
    let line;
    try {
      await verify(request, verifier);
      line = { ok: true };
    } catch (e) {
      line = { ok: false, error: String(e && e.message ? e.message : e) };
    }
    if (req.headers["signature-agent"]) line.signature_agent = req.headers["signature-agent"];
    process.stdout.write(JSON.stringify(line) + "\n");
    req.resume();
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "web bot auth peer: not an MCP server" }));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n"));
} else if (mode === "operator") {
  const { priv, pub } = await keyPair();
  writeFileSync(agent, JSON.stringify(priv), { mode: 0o600 });
  const body = JSON.stringify({ keys: [{ kty: pub.kty, crv: pub.crv, x: pub.x }] });
  const digest = "sha-256=:" + createHash("sha256").update(body).digest("base64") + ":";
  const headers = { "content-type": "application/http-message-signatures-directory+json", "content-digest": digest };
  const request = new Request(`https://${arg}/.well-known/http-message-signatures-directory`);
  const response = new Response(body, { headers });
  const signer = await signerFromJWK(priv);
  const now = new Date();
  const signed = await signMessage({ request, response }, {
    signer,
    keyid: signer.keyid,
    components: [{ name: "@authority", parameters: new Map([["req", true]]) }, "content-digest"],
    created: now,
    expires: new Date(now.getTime() + 3600_000),
    tag: "http-message-signatures-directory",
  });
  headers["signature"] = signed["Signature"];
  headers["signature-input"] = signed["Signature-Input"];
  process.stdout.write(JSON.stringify({ body, headers, keyid: signer.keyid }) + "\n");
} else if (mode === "sign") {
  const { priv, pub } = await keyPair();
  const init = agent ? { headers: { "Signature-Agent": JSON.stringify(agent) } } : {};
  const request = new Request(arg, init);
  const now = new Date(Date.now() - 1000 * Number(process.env.WBA_AGE || 0));
  const signed = await signatureHeaders(request, await signerFromJWK(priv), { created: now, expires: new Date(now.getTime() + 60_000) });
  const headers = { "signature": signed["Signature"], "signature-input": signed["Signature-Input"] };
  if (agent) headers["signature-agent"] = JSON.stringify(agent);
  process.stdout.write(JSON.stringify({ headers, jwks: { keys: [{ kty: pub.kty, crv: pub.crv, x: pub.x }] } }) + "\n");
} else if (mode === "vectors") {
  // web-bot-auth's verifier on the drafts' vectors (FILE: architecture-ed25519.json): {label: ok|error}.
  const { readFileSync } = await import("node:fs");
  const out = {};
  for (const v of JSON.parse(readFileSync(arg))) {
    const headers = new Headers({ Signature: v.signature, "Signature-Input": v.signature_input });
    if (v.signature_agent) headers.set("Signature-Agent", v.signature_agent);
    const key = { kty: v.key.kty, crv: v.key.crv, x: v.key.x };
    try {
      await verify(new Request(v.target_url, { headers }), await verifierFromJWK(key));
      out[v.label] = "ok";
    } catch (e) {
      out[v.label] = String(e && e.message ? e.message : e);
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
} else {
  process.stderr.write("usage: wba_interop.mjs serve PUBLIC_JWK_JSON | sign URL [SIGNATURE_AGENT] | operator AUTHORITY KEY_FILE | vectors FILE\n");
  process.exit(2);
}
