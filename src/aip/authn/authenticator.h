// The credential seam: what an authenticator sees of a request (the JSON-RPC message and, over
// HTTP, the request that carried it), what it answers (a principal, none, or a refusal), and the
// chain that hands each credential the request presents to the one authenticator that owns its
// type. Below mcp, so API keys, OAuth, the registry and policy
// depend on these types without depending on the MCP SDK.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aip/authn/credentials.h"
#include "aip/authn/failure.h"
#include "aip/authn/principal.h"
#include "aip/base/json.h"

namespace aip::authn {

// RequestAuthenticator establishes who sent a request (the chain, or a test's stand-in). A
// transport calls it with the JSON-RPC request as received, with its id.
class RequestAuthenticator {
 public:
  virtual ~RequestAuthenticator() = default;
  // Authenticate returns the principal, nullopt when the request carries no credential this
  // authenticator checks, or the failure.
  virtual std::variant<std::optional<Principal>, AuthFailure> Authenticate(const json::Object& request, const HttpInfo* http) = 0;
};

// CredentialAuthenticator checks one type of credential (credentials.h decides which a request
// presents). On its own it finds its credential in the request; in a chain it is handed it.
class CredentialAuthenticator : public RequestAuthenticator {
 public:
  virtual CredentialType credential_type() const = 0;
  // Verify checks `credential` (always of credential_type()).
  virtual std::variant<Principal, AuthFailure> Verify(const Credential& credential, const json::Object& request, const HttpInfo* http) = 0;
  std::variant<std::optional<Principal>, AuthFailure> Authenticate(const json::Object& request, const HttpInfo* http) final;
};

// AuthenticatorChain hands each credential the request presents to the authenticator of its
// type (a credential no authenticator takes is not looked at: the caller stays anonymous for
// it); any failure refuses the request — a bad credential is never overlooked because another
// is good. Signatures (proof, RFC 9421, X-AIP headers) must name one agent; at most one other
// credential (API key or token) may come. A user's token with a signed call from the agent it
// was issued to (client_id or an "act" actor) yields one principal: the user, with the agent's
// proven DID; any other pair is refused as ambiguous.
class AuthenticatorChain final : public RequestAuthenticator {
 public:
  // Add registers the authenticator of one credential type; a second one for the same type is
  // a programming error (refused).
  Status Add(std::shared_ptr<CredentialAuthenticator> a);
  std::variant<std::optional<Principal>, AuthFailure> Authenticate(const json::Object& request, const HttpInfo* http) override;

 private:
  std::vector<std::shared_ptr<CredentialAuthenticator>> chain_;
};

}  // namespace aip::authn
