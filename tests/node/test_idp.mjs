// A development identity provider for trying aip's OAuth support by hand (docs/oauth.md, "Quick
// start"): npm's oauth2-mock-server, configured the way a production provider must be for the
// gateway to accept its tokens — which the mock does not do by default:
//   - "aud" is the resource the token is for (the RFC 8707 `resource` parameter; Keycloak: an
//     audience mapper, Auth0: the API identifier, Entra ID: the application ID URI);
//   - "sub" and "client_id" name the client (client-credentials grant: the client itself);
//   - the header's "typ" is "at+jwt" (RFC 9068 access tokens).
// Without `resource`, a token has no "aud" — as the mock's stock tokens — and the gateway refuses it.
//
// Usage: node tests/node/test_idp.mjs [--port 8899]     (prints the issuer URL, runs until killed)
import { OAuth2Server } from "oauth2-mock-server";

const at = process.argv.indexOf("--port");
const port = at > 0 ? Number(process.argv[at + 1]) : 8899;
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token, req) => {
  if (req.body?.grant_type !== "client_credentials") return;
  const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
  const client = basic ? Buffer.from(basic, "base64").toString().split(":")[0] : req.body.client_id;
  if (!req.body.resource) return;  // A stock token: no audience.
  token.header.typ = "at+jwt";
  token.payload.aud = req.body.resource;
  token.payload.sub = client;
  token.payload.client_id = client;
});
await server.start(port, "127.0.0.1");
// The issuer as tokens name it ("iss"): the address it was started on.
server.issuer.url = `http://127.0.0.1:${port}`;
console.log(server.issuer.url);
