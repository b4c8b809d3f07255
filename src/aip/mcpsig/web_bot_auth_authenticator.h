// The Web Bot Auth way in (docs/web-bot-auth.md): an RFC 9421 signature with tag "web-bot-auth"
// whose key the operator publishes in the key directory of the origin its Signature-Agent field
// names. The principal is kind "bot", id "<origin>#<thumbprint>", and — the key being Ed25519 —
// DID the key's did:key, so trust and policy can name it as they name an agent.
//
// What it proves: the operator holding that key sent a request to this host within the
// signature's lifetime. Not the method, the path, the tool or the arguments (the drafts do not
// cover them); rules that need those bound to the caller require aip's proof
// (`require = { credential = "aip-proof" }`).
#pragma once

#include <chrono>
#include <memory>

#include "aip/authn/authenticator.h"
#include "aip/authn/replay_cache.h"
#include "aip/resolvers/bot_directories.h"

namespace aip::mcpsig {

struct WebBotAuthOptions {
  std::shared_ptr<resolvers::BotDirectories> directories;
  // The longest expires - created accepted. The drafts' own examples last a century; aip's
  // default stays strict.
  std::chrono::seconds max_lifetime{300};
  std::chrono::seconds max_skew{60};
  // Nonces make a signature single-use (kept in `replay_cache` until it expires). Without them a
  // captured request can be replayed to this host until it expires.
  bool require_nonce = true;
  std::shared_ptr<authn::ReplayCache> replay_cache;
  const Clock* clock = &DefaultClock();
};

class WebBotAuthAuthenticator final : public authn::CredentialAuthenticator {
 public:
  explicit WebBotAuthAuthenticator(WebBotAuthOptions options) : options_(std::move(options)) {}
  authn::CredentialType credential_type() const override { return authn::CredentialType::kWebBotAuth; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;

 private:
  WebBotAuthOptions options_;
};

}  // namespace aip::mcpsig
