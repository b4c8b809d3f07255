// Web Bot Auth (IETF webbotauth drafts: HTTP message signatures for automated traffic, and the
// HTTP Message Signatures Directory): how large AI agents identify themselves to the web. Each
// request carries an RFC 9421 Ed25519 signature with tag "web-bot-auth" covering `@authority`
// (and the `Signature-Agent` field, when sent, which names the operator's origin); its keyid is
// the key's RFC 7638 JWK thumbprint, published in the operator's key directory
// (/.well-known/http-message-signatures-directory, a JWKS whose response is itself signed with tag
// "http-message-signatures-directory").
//
// What such a signature proves: that the operator holding the key sent a request to this
// authority, at this time — not what the request says (the body and the path are not covered).
// Tools that need the call's content bound to its sender require aip's own proof instead.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "aip/crypto/ed25519.h"
#include "aip/httpsig/message_signature.h"

namespace aip::httpsig {

inline constexpr std::string_view kWebBotAuthTag = "web-bot-auth";
inline constexpr std::string_view kDirectoryTag = "http-message-signatures-directory";
inline constexpr std::string_view kDirectoryPath = "/.well-known/http-message-signatures-directory";

// Ed25519Thumbprint is the RFC 7638 JWK thumbprint of `key` ({"crv","kty","x"}, SHA-256,
// base64url): the keyid Web Bot Auth signatures carry.
std::string Ed25519Thumbprint(const crypto::Ed25519PublicKey& key);

// DirectoryKeys reads a key directory (a JWKS): its Ed25519 keys by their thumbprint, computed
// here (a "kid" the directory claims is not trusted); other key types are skipped. At most 64 keys.
Result<std::map<std::string, crypto::Ed25519PublicKey>> DirectoryKeys(std::string_view jwks);

// SignedDirectory is an operator's key directory as its origin serves it: the JWKS body and the
// response headers (content type, Content-Digest, and the signature over `"@authority";req` and
// content-digest with tag "http-message-signatures-directory").
struct SignedDirectory {
  std::string body;
  net::Headers headers;
};

// MakeDirectory builds the directory of `key` for the origin `authority` ("bot.example"), signed
// through `sign`, valid from `created` for `lifetime`.
Result<SignedDirectory> MakeDirectory(std::string_view authority, const crypto::Ed25519PublicKey& key, const SignBase& sign,
                                      std::int64_t created, std::chrono::seconds lifetime);

struct DirectoryVerifyOptions {
  std::chrono::seconds max_lifetime{std::chrono::hours(24 * 90)};  // A directory is re-signed at least this often.
  std::chrono::seconds max_skew{60};
  const Clock* clock = &DefaultClock();
};

struct VerifiedDirectory {
  std::map<std::string, crypto::Ed25519PublicKey> keys;  // By thumbprint.
  TimePoint expires;                                     // The directory's signature holds until then; no cache may keep it longer.
};

// VerifyDirectory checks a key directory fetched from https://`authority`/.well-known/…: its
// signature (tag "http-message-signatures-directory", covering `"@authority";req` and
// content-digest) verifies under a key the directory itself lists, for this authority, within its
// lifetime, over this body. Returns its keys by thumbprint; kUnauthenticated with the reason.
Result<VerifiedDirectory> VerifyDirectory(std::string_view authority, const net::Headers& response_headers, std::string_view body,
                                          const DirectoryVerifyOptions& options);

struct WebBotAuthSignOptions {
  std::string signature_agent;          // The operator's origin ("https://bot.example"); empty: none sent.
  std::string agent_member = "agent1";  // Its name in the Signature-Agent dictionary.
  std::string label = "sig1";
  std::chrono::seconds lifetime{60};
  const Clock* clock = &DefaultClock();
  std::optional<std::int64_t> created;  // Fixed instants and nonce, for test vectors; else now and random.
  std::optional<std::int64_t> expires;
  std::optional<std::string> nonce;
};

// SignWebBotAuth adds Signature-Agent (when asked), Signature-Input and Signature to a request for
// `target_uri`, signed by `key`'s holder through `sign`.
Status SignWebBotAuth(const std::string& target_uri, net::Headers& headers, const crypto::Ed25519PublicKey& key, const SignBase& sign,
                      const WebBotAuthSignOptions& options);

struct WebBotAuthVerifyOptions {
  // KeyFor returns the key with this thumbprint from the directory of `agent` (the origin the
  // Signature-Agent field names; empty when none was sent).
  std::function<Result<crypto::Ed25519PublicKey>(std::string_view keyid, std::string_view agent)> key_for;
  std::chrono::seconds max_lifetime{300};  // The drafts' own vectors last a century: say so here.
  std::chrono::seconds max_skew{60};
  bool require_nonce = true;
  bool require_signature_agent = false;
  const Clock* clock = &DefaultClock();
};

struct VerifiedBot {
  std::string keyid;  // The key's thumbprint.
  std::string agent;  // The operator's origin from Signature-Agent ("" when none was sent).
  std::string label;
  TimePoint created;
  std::string nonce;
};

// VerifyWebBotAuth checks a Web Bot Auth request: tag, `@authority` covered, `Signature-Agent`
// covered whenever it is sent (the whole field or the member the signature names), a lifetime and
// skew within bounds, a nonce when required, and the signature by the key the operator's directory
// holds under the keyid. Errors are kUnauthenticated (or kInvalidArgument for malformed fields)
// with the reason. The returned nonce is not remembered here: the caller checks it against its
// replay cache (a signature that verifies once verifies again until it expires).
// `body` is checked against Content-Digest only when the signature covers it.
Result<VerifiedBot> VerifyWebBotAuth(const HttpMessage& m, std::string_view body, const WebBotAuthVerifyOptions& options);

}  // namespace aip::httpsig
