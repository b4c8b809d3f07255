// Python AIP's HTTP headers (X-AIP-DID, X-AIP-Signature, X-AIP-Timestamp, X-AIP-Nonce), accepted
// only when a deployment opts in, for agents that still use the Python middleware. The signed
// payload is "METHOD:path:timestamp:nonce:sha256hex(body)".
//
// Why it is weaker than a proof (docs/protocol.md): it names no audience (a request signed for
// one server is valid at any server with the same path), ignores the host and query string, and
// its payload shape is shared with other Python AIP signatures. We add what the Python project
// lacks — a replay cache, a 60 s future skew bound, strict base64 and DID-to-key checks — but
// cannot add an audience to a format that has none.
#pragma once

#include <memory>

#include "aip/identity/resolver.h"
#include "aip/mcp/server.h"
#include "aip/authn/replay_cache.h"

namespace aip::mcpsig {

class LegacyAipHeaderAuthenticator final : public authn::CredentialAuthenticator {
 public:
  LegacyAipHeaderAuthenticator(std::shared_ptr<const identity::DidResolver> resolver, std::shared_ptr<authn::ReplayCache> replay_cache,
                               const Clock* clock = &DefaultClock())
      : resolver_(std::move(resolver)), replay_cache_(std::move(replay_cache)), clock_(clock) {}
  authn::CredentialType credential_type() const override { return authn::CredentialType::kLegacyAipHeaders; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;

 private:
  std::shared_ptr<const identity::DidResolver> resolver_;
  std::shared_ptr<authn::ReplayCache> replay_cache_;
  const Clock* clock_;
};

}  // namespace aip::mcpsig
