// RFC 9421 interop peer (npm http-message-signatures, an implementation independent of aip's),
// for tests/interop/rfc9421_interop_test.py. Both modes follow aip's profile (docs/protocol.md,
// "HTTP message signatures"): @method, @target-uri, content-digest, content-type,
// mcp-protocol-version; created, expires, nonce, alg="ed25519", keyid (a DID URL), tag="aip-mcp".
//   node rfc9421_interop.mjs serve PUBLIC_X
//       an HTTP server on 127.0.0.1 (first line printed: {"port": N}) that checks each request's
//       signature with http-message-signatures' verifier and the Ed25519 key whose JWK x is
//       PUBLIC_X, and its Content-Digest against the body; prints {"ok", "error"?, "digest_ok",
//       "tag", "covered"} per request and answers 401 (it is no MCP server).
//   node rfc9421_interop.mjs sign REQUEST_JSON
//       a fresh Ed25519 key signs the request {"method", "url", "headers", "body"} the way aip's
//       profile says; prints {"headers": the signed headers, "did": the key's did:key}.
import http from "node:http";
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { httpbis, createSigner, createVerifier } from "http-message-signatures";

const COMPONENTS = ["@method", "@target-uri", "content-digest", "content-type", "mcp-protocol-version"];
const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes) {
  let n = BigInt("0x" + Buffer.from(bytes).toString("hex"));
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}

function digestOf(body) {
  return "sha-256=:" + createHash("sha256").update(body).digest("base64") + ":";
}

const [mode, arg] = process.argv.slice(2);
if (mode === "serve") {
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: arg }, format: "jwk" });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const request = { method: req.method, url: `http://${req.headers.host}${req.url}`, headers: req.headers };
      const line = { digest_ok: req.headers["content-digest"] === digestOf(body), covered: req.headers["signature-input"] || "" };
      try {
        let params = null;
        const ok = await httpbis.verifyMessage(
          {
            keyLookup: async (p) => {
              params = p;
              return { id: p.keyid, algs: ["ed25519"], verify: createVerifier(key, "ed25519") };
            },
            requiredFields: COMPONENTS,
            requiredParams: ["created", "expires", "nonce", "keyid", "tag"],
          },
          request,
        );
        line.ok = ok === true;
        line.tag = params && params.tag;
      } catch (e) {
        line.ok = false;
        line.error = String(e && e.message ? e.message : e);
      }
      process.stdout.write(JSON.stringify(line) + "\n");
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "RFC 9421 peer: not an MCP server" }));
    });
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n"));
} else if (mode === "sign") {
  const request = JSON.parse(arg);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const x = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
  const fingerprint = "z" + base58(Buffer.concat([Buffer.from([0xed, 0x01]), x]));
  const did = "did:key:" + fingerprint;
  const headers = { ...request.headers, "content-digest": digestOf(request.body) };
  const now = new Date();
  const signed = await httpbis.signMessage(
    {
      key: createSigner(privateKey, "ed25519", `${did}#${fingerprint}`),
      name: "aip",
      fields: COMPONENTS,
      params: ["created", "expires", "nonce", "alg", "keyid", "tag"],
      paramValues: { created: now, expires: new Date(now.getTime() + 60_000), nonce: randomBytes(16).toString("base64url"), tag: "aip-mcp" },
    },
    { method: request.method, url: request.url, headers },
  );
  process.stdout.write(JSON.stringify({ headers: signed.headers, did }) + "\n");
} else {
  process.stderr.write("usage: rfc9421_interop.mjs serve PUBLIC_X | sign REQUEST_JSON\n");
  process.exit(2);
}
