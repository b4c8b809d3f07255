// Web Bot Auth interop peer (npm web-bot-auth, Cloudflare's implementation), for
// tests/interop/web_bot_auth_test.py:
//   node wba_interop.mjs serve PUBLIC_JWK_JSON
//       an HTTP server on 127.0.0.1 (first line printed: {"port": N}) that checks each request's
//       Web Bot Auth signature with web-bot-auth's verifier and that key, prints
//       {"ok": true|false, "error"?, "signature_agent"?} per request, and answers 401 (it is no MCP server).
//   node wba_interop.mjs sign URL [SIGNATURE_AGENT]
//       a fresh Ed25519 key signs a GET of URL the way a Web Bot Auth agent does; prints
//       {"headers": {...}, "jwks": {"keys": [public JWK]}}.
import http from "node:http";
import { signatureHeaders, verify } from "web-bot-auth";
import { signerFromJWK, verifierFromJWK } from "web-bot-auth/crypto";

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
} else if (mode === "sign") {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const priv = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const pub = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const init = agent ? { headers: { "Signature-Agent": JSON.stringify(agent) } } : {};
  const request = new Request(arg, init);
  const now = new Date();
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
  process.stderr.write("usage: wba_interop.mjs serve PUBLIC_JWK_JSON | sign URL [SIGNATURE_AGENT] | vectors FILE\n");
  process.exit(2);
}
