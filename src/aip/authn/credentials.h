// Which credentials a request presents, decided once, in one place. Each authenticator owns one
// credential type and is handed only its own credential: none of them parses (or has to
// recognise) another's. The wire forms are fixed here so that the split never depends on which
// authenticators are configured.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aip/authn/failure.h"
#include "aip/base/json.h"
#include "aip/net/http.h"

namespace aip::authn {

enum class CredentialType {
  kProof,             // An aip call proof: params._meta["dev.aip/proof"].
  kHttpSignature,     // An RFC 9421 signature: a Signature-Input header (other than Web Bot Auth's).
  kWebBotAuth,        // An RFC 9421 signature with tag="web-bot-auth" (docs/web-bot-auth.md).
  kLegacyAipHeaders,  // The Python AIP headers: X-AIP-Signature (with X-AIP-DID, -Timestamp, -Nonce).
  kApiKey,            // "X-Api-Key: aip_…" or "Authorization: Bearer aip_…".
  kAccessToken,       // Any other "Authorization: Bearer …" or "Authorization: DPoP …".
};

// The member of params._meta that carries a call proof (docs/protocol.md).
inline constexpr std::string_view kProofMetaKey = "dev.aip/proof";
// Every aip API key starts so; a bearer value that does is an API key, never an access token.
inline constexpr std::string_view kApiKeyPrefix = "aip_";

// Credential is one credential as presented. For API keys and access tokens `value` is the
// text (the key, or the token) and `scheme` the lowercase Authorization scheme ("bearer",
// "dpop"; empty for X-Api-Key); for the others both are empty and the authenticator reads the
// message or the headers it owns.
struct Credential {
  CredentialType type;
  std::string_view scheme;
  std::string_view value;
};

std::string_view CredentialTypeName(CredentialType type);

// HttpInfo is what an HTTP transport knows of the request that carried a message: where the
// header credentials come from, and enough to verify an HTTP message signature (RFC 9421).
struct HttpInfo {
  std::string method;
  std::string target_uri;  // Absolute: scheme, the (validated) Host, path and query.
  const net::Headers* headers = nullptr;
  std::string_view body;
  std::string_view remote_address;  // The peer's IP address, as the socket reports it.
};

// FindCredentials lists the credentials `request` (and its HTTP request, when there is one)
// presents, each type at most once, in a fixed order: proof, HTTP signature or Web Bot Auth,
// X-AIP headers, API key, access token. A Signature-Input whose signatures all carry
// tag="web-bot-auth" is Web Bot Auth; any other is an HTTP signature (a malformed one too: its
// verifier refuses it). Credential headers that are ambiguous in themselves — two
// Authorization or X-Api-Key headers, an API key in both, Web Bot Auth and other signatures in
// one Signature-Input — refuse the request (ambiguous_credentials). An Authorization scheme other than Bearer and DPoP is not a
// credential of ours and is left alone.
std::variant<std::vector<Credential>, AuthFailure> FindCredentials(const json::Object& request, const HttpInfo* http);

// FindCredential is the one credential of `type` the request presents, if any (or the refusal
// of FindCredentials).
std::variant<std::optional<Credential>, AuthFailure> FindCredential(CredentialType type, const json::Object& request, const HttpInfo* http);

}  // namespace aip::authn
