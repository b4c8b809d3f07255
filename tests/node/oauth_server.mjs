// A real OAuth 2.0 / OIDC server for the tests (npm oauth2-mock-server) on 127.0.0.1, driven
// over stdin/stdout with one JSON command per line:
//   {"op":"token", "kid"?, "claims"?: {...}, "header"?: {...}, "remove"?: [claim...], "expiresIn"?}
//        → {"token": "..."}   (claims and header are merged into the mock's defaults)
//   {"op":"rotate", "alg": "ES256"|"RS256"|"EdDSA", "kid": "..."} → {"kid": "..."}
//   {"op":"jwks"} → {"keys": [...]}    {"op":"private", "kid"} → the private JWK (for attacks)
//   {"op":"dpop_key"} → {"id", "jkt"}   a client's DPoP key (ES256), and its RFC 7638 thumbprint
//   {"op":"dpop_proof", "id", "htm", "htu", "ath", "nonce"?} → {"proof"}
//   {"op":"opaque", "claims"} → {"token"}  an opaque token the introspection endpoint knows
//   {"op":"revoke_opaque", "token"}         the endpoint now calls it inactive
//   {"op":"introspections"} → {"count", "authorization"}  what the endpoint was asked, and by whom
//   {"op":"last_token_request"} → the form and Basic credentials of the last /token request
// Tokens from the /token endpoint are RFC 9068 access tokens for the requested "resource": for the
// client-credentials grant with the client as their subject; for the authorization-code grant
// (the mock signs every user in at once) for user "alice" through the asking client.
// The first line written is {"issuer": "...", "kid": "<first key>"}.
import { OAuth2Server } from "oauth2-mock-server";
import * as jose from "jose";
import readline from "node:readline";

const server = new OAuth2Server();
const first = await server.issuer.keys.generate("RS256", { kid: "rs-1" });
await server.start(0, "127.0.0.1");
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
out({ issuer: server.issuer.url, kid: first.kid });

let lastTokenRequest = {};
server.service.on("beforeTokenSigning", (token, req) => {
  const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
  const [id, secret] = Buffer.from(basic, "base64").toString().split(":").map(decodeURIComponent);
  lastTokenRequest = { ...req.body, client_id: id || req.body?.client_id, client_secret: secret };
  const grant = req.body?.grant_type;
  if (grant === "client_credentials") {
    token.payload.sub = id;
    token.payload.client_id = id;
  } else if (grant === "authorization_code" || grant === "refresh_token") {
    // A user signed in: alice, through the (public) client that asked, granted tasks:read.
    token.payload.sub = "alice";
    token.payload.client_id = req.body.client_id;
    token.payload.scope = "tasks:read";
  } else {
    return;
  }
  token.header.typ = "at+jwt";
  if (req.body.resource) token.payload.aud = req.body.resource;
});
const dpopKeys = [];
const opaque = new Map();
let introspections = 0, lastAuthorization = "";
// The mock's own /introspect calls every token active; this endpoint answers as RFC 7662 says,
// for the opaque tokens issued below.
server.service.addRoute("POST", "/introspect/opaque", (req, res) => {
  introspections++;
  lastAuthorization = req.headers.authorization ?? "";
  const claims = opaque.get(req.body?.token);
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(claims ? { active: true, ...claims } : { active: false }));
});
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  try {
    const cmd = JSON.parse(line);
    if (cmd.op === "token") {
      const token = await server.issuer.buildToken({
        ...(cmd.kid ? { kid: cmd.kid } : {}),
        expiresIn: cmd.expiresIn ?? 600,
        scopesOrTransform: (header, payload) => {
          Object.assign(header, cmd.header ?? {});
          Object.assign(payload, cmd.claims ?? {});
          for (const name of cmd.remove ?? []) delete payload[name];
        },
      });
      out({ token });
    } else if (cmd.op === "rotate") {
      const key = await server.issuer.keys.generate(cmd.alg, { kid: cmd.kid, crv: cmd.alg === "EdDSA" ? "Ed25519" : undefined });
      out({ kid: key.kid });
    } else if (cmd.op === "dpop_key") {
      const { publicKey, privateKey } = await jose.generateKeyPair("ES256");
      const jwk = await jose.exportJWK(publicKey);
      dpopKeys.push({ privateKey, jwk });
      out({ id: dpopKeys.length - 1, jkt: await jose.calculateJwkThumbprint(jwk) });
    } else if (cmd.op === "dpop_proof") {
      const { privateKey, jwk } = dpopKeys[cmd.id];
      const proof = await new jose.SignJWT({ htm: cmd.htm, htu: cmd.htu, ath: cmd.ath, jti: crypto.randomUUID(), ...(cmd.nonce ? { nonce: cmd.nonce } : {}) })
        .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk })
        .setIssuedAt()
        .sign(privateKey);
      out({ proof });
    } else if (cmd.op === "opaque") {
      const token = "opaque-" + crypto.randomUUID();
      const claims = { iss: server.issuer.url, exp: Math.floor(Date.now() / 1000) + 600, ...cmd.claims };
      for (const [k, v] of Object.entries(claims)) if (v === null) delete claims[k];
      opaque.set(token, claims);
      out({ token });
    } else if (cmd.op === "revoke_opaque") {
      opaque.delete(cmd.token);
      out({});
    } else if (cmd.op === "last_token_request") {
      out(lastTokenRequest);
    } else if (cmd.op === "introspections") {
      out({ count: introspections, authorization: lastAuthorization });
    } else if (cmd.op === "jwks") {
      out({ keys: server.issuer.keys.toJSON(false) });
    } else if (cmd.op === "private") {
      out(server.issuer.keys.toJSON(true).find((k) => k.kid === cmd.kid) ?? {});
    } else {
      out({ error: "unknown op" });
    }
  } catch (e) {
    out({ error: String(e) });
  }
});
rl.on("close", async () => {
  await server.stop();
  process.exit(0);
});
