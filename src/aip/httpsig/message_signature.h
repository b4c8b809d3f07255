// HTTP Message Signatures (RFC 9421) with Ed25519, and Content-Digest (RFC 9530), as aip's
// profile for signed MCP-over-HTTP requests (the MCP proposal SEP-2752): a request covers
// `@method`, `@target-uri`, `content-digest`, `content-type` and `mcp-protocol-version`, with
// `created`, `expires` (at most 5 minutes later), `nonce`, `keyid` (a DID URL) and `tag`.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"
#include "aip/httpsig/structured_fields.h"
#include "aip/net/http.h"

namespace aip::httpsig {

// HttpMessage is the message as signed: for a request its method, absolute target URI and header
// fields; for a response its header fields and the request it answers (`;req` components).
struct HttpMessage {
  std::string method;
  std::string target_uri;
  const net::Headers* headers = nullptr;
  const HttpMessage* request = nullptr;
};

// ComponentValue derives one covered component (RFC 9421 §2): derived components such as
// "@method", "@target-uri", "@authority", "@scheme", "@path", "@query", or a header field; with
// component parameters, `key="m"` (that member of a dictionary field, §2.1.2), `sf` (a field of
// known Dictionary type parsed and serialized again, §2.1.1) and `req` (from the request a
// response answers, §2.4). Other parameters (`bs`, `tr`, `name`) are refused.
Result<std::string> ComponentValue(const HttpMessage& m, std::string_view component, const Parameters& params = {});

// SignatureBase builds the signature base (§2.5) for `params` (component list + parameters).
Result<std::string> SignatureBase(const HttpMessage& m, const InnerList& params);

// ContentDigest returns "sha-256=:<base64>:" for `body`.
std::string ContentDigest(std::string_view body);
// CheckContentDigest verifies a Content-Digest field against `body` (sha-256 or sha-512).
Status CheckContentDigest(std::string_view field, std::string_view body);

struct SignOptions {
  std::string keyid;
  std::string tag = "aip-mcp";
  std::chrono::seconds lifetime{120};
  const Clock* clock = &DefaultClock();
  std::string label = "aip";
};

// SignBase signs a signature base: the holder of the key decides what it will sign
// (identity::Identity::SignStandard checks the bytes are a signature base).
using SignBase = std::function<Result<crypto::Ed25519Signature>(ByteSpan signature_base)>;

// AddSignature signs the signature base of `m` for `params` through `sign` and sets
// Signature-Input and Signature under `label` in `headers`.
Status AddSignature(const HttpMessage& m, const InnerList& params, const SignBase& sign, const std::string& label, net::Headers& headers);

// SignRequest adds Content-Digest (when there is a body), Signature-Input and Signature.
Status SignRequest(const std::string& method, const std::string& target_uri, net::Headers& headers, std::string_view body,
                   const SignBase& sign, const SignOptions& options);

struct VerifiedSignature {
  std::string keyid;
  std::string label;
  TimePoint created;
  std::string nonce;
  std::optional<TimePoint> expires;
};

struct VerifyOptions {
  // KeyFor returns the Ed25519 key named by keyid (a DID URL resolves through a DID resolver).
  std::function<Result<crypto::Ed25519PublicKey>(std::string_view keyid)> key_for;
  std::vector<std::string> required_components{"@method", "@target-uri", "content-type"};
  bool require_expires = true;
  bool require_digest_for_body = true;      // A request with a body must cover content-digest.
  bool require_mcp_version_covered = true;  // MCP-Protocol-Version, when sent, must be covered.
  std::chrono::seconds max_lifetime{300};
  std::chrono::seconds max_skew{60};
  const Clock* clock = &DefaultClock();
  std::optional<std::string> tag;  // When set, the signature's tag must equal it.
  // CheckLabel, when set, sees each label's parsed Signature-Input before its key is looked up
  // (a profile's own rules: Web Bot Auth's Signature-Agent and nonce).
  std::function<Status(const InnerList& params)> check_label;
};

// VerifyRequest checks every signature label of the request: each must verify, and all must name
// the same key; the first is returned. Otherwise kUnauthenticated naming the label and the reason
// ("digest mismatch", "expired", ...; "ambiguous: …" for two keys). `alg`, when present, must be
// "ed25519"; when absent the key's own type decides (only Ed25519 keys resolve).
Result<VerifiedSignature> VerifyRequest(const HttpMessage& m, std::string_view body, const VerifyOptions& options);

}  // namespace aip::httpsig
