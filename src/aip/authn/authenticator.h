// The credential seam: what an authenticator sees of a request (the JSON-RPC message and, over
// HTTP, the request that carried it), what it answers (a principal, none, or a refusal), and the
// chain that asks every authenticator. Below mcp, so API keys, OAuth, the registry and policy
// depend on these types without depending on the MCP SDK.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aip/authn/principal.h"
#include "aip/base/json.h"
#include "aip/net/http.h"

namespace aip::authn {

// AuthFailure is an authentication refusal: a reason code and a log-safe message. Transports
// answer it with HTTP 401 and JSON-RPC error kUnauthenticatedCode.
struct AuthFailure {
  AuthFailure(std::string why, std::string text, std::string nonce = "")
      : reason(std::move(why)), message(std::move(text)), dpop_nonce(std::move(nonce)) {}
  std::string reason;  // e.g. "replayed_nonce", "wrong_audience".
  std::string message;
  // A fresh DPoP nonce the client must put in its next proof (RFC 9449 §9; reason
  // "use_dpop_nonce"): sent as the DPoP-Nonce header of the 401.
  std::string dpop_nonce;
};

// AuthFailureData is the JSON-RPC error data of a refused credential: {"reason", "dpopNonce"?}.
json::Object AuthFailureData(const AuthFailure& failure);

// HttpInfo is what an HTTP transport knows of the request that carried a message: enough to
// verify an HTTP message signature (RFC 9421) over it.
struct HttpInfo {
  std::string method;
  std::string target_uri;  // Absolute: scheme, the (validated) Host, path and query.
  const net::Headers* headers = nullptr;
  std::string_view body;
  std::string_view remote_address;  // The peer's IP address, as the socket reports it.
};

// RequestAuthenticator checks the credential a request carries (a signed-call proof, later API
// keys and tokens). `request` is the JSON-RPC request as received, with its id.
class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;
  // Authenticate returns the principal, nullopt when the request carries no credential of this
  // kind, or the failure.
  virtual std::variant<std::optional<Principal>, AuthFailure> Authenticate(const json::Object& request,
                                                                          const HttpInfo* http) = 0;
};

// AuthenticatorChain asks every authenticator; any failure refuses the request (a bad credential
// is never overlooked because another is good). Signatures (proof, RFC 9421) must name one
// agent; at most one other credential (API key or token) may come. A user's token with a signed
// call from the agent it was issued to (client_id or an "act" actor) yields one principal: the
// user, with the agent's proven DID; any other pair is refused as ambiguous.
class AuthenticatorChain final : public RequestAuthenticator {
 public:
  void Add(std::shared_ptr<RequestAuthenticator> a) { chain_.push_back(std::move(a)); }
  std::variant<std::optional<Principal>, AuthFailure> Authenticate(const json::Object& request,
                                                                  const HttpInfo* http) override;

 private:
  std::vector<std::shared_ptr<RequestAuthenticator>> chain_;
};

}  // namespace aip::authn
