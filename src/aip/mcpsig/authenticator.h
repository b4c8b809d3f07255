// Plugging signed calls into the MCP server SDK: ProofAuthenticator verifies request proofs
// (and answers which agent called); ProofResultSigner signs every result with the server's key.
#pragma once

#include <memory>
#include <mutex>

#include "aip/mcp/client.h"
#include "aip/mcp/server.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/mcpsig/result_proof.h"

namespace aip::mcpsig {

class ProofAuthenticator final : public authn::CredentialAuthenticator {
 public:
  explicit ProofAuthenticator(VerifyOptions options) : options_(std::make_shared<const VerifyOptions>(std::move(options))) {}
  authn::CredentialType credential_type() const override { return authn::CredentialType::kProof; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;
  // AddAudience accepts one more audience (a server learns its URL once it listens).
  void AddAudience(std::string audience);

 private:
  // Replaced whole by AddAudience; each request takes a snapshot (one reference, no copy).
  std::mutex mu_;
  std::shared_ptr<const VerifyOptions> options_;
};

// HttpSignatureAuthenticator verifies an RFC 9421 signature on the HTTP request that carried
// the message (aip's profile, docs/protocol.md): keyid is a DID URL authorized for
// authentication; the nonce is spent once.
class HttpSignatureAuthenticator final : public authn::CredentialAuthenticator {
 public:
  HttpSignatureAuthenticator(std::shared_ptr<const identity::DidResolver> resolver, std::shared_ptr<authn::ReplayCache> replay_cache)
      : resolver_(std::move(resolver)), replay_cache_(std::move(replay_cache)) {}
  authn::CredentialType credential_type() const override { return authn::CredentialType::kHttpSignature; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;

 private:
  std::shared_ptr<const identity::DidResolver> resolver_;
  std::shared_ptr<authn::ReplayCache> replay_cache_;
};

class ProofResultSigner final : public mcp::ResultSigner {
 public:
  explicit ProofResultSigner(std::shared_ptr<const identity::Identity> signer) : signer_(std::move(signer)) {}
  void Sign(const json::Object& request, json::Object& result) override;

 private:
  std::shared_ptr<const identity::Identity> signer_;
};

// SignedClientOptions makes an McpClient sign every request with `signer` for `audience`, and
// verify signed results: with `require_signed_result` (or an `expected_server` DID) an unsigned
// or foreign result is an error; otherwise a signed result is still verified.
struct SignedClientConfig {
  std::shared_ptr<const identity::Identity> signer;  // Null: do not sign.
  std::string audience;
  std::optional<std::string> expected_server;
  bool require_signed_result = false;
  // Called with the signer DID of each verified result (for display).
  std::function<void(const std::string& signer_did)> on_verified_result;
  // When set, results must be signed and their signer pass this check (server trust: its
  // score from the caller's anchors); an error refuses the result with its message.
  std::function<Status(const std::string& signer_did)> check_signer;
};
mcp::ClientOptions SignedClientOptions(const SignedClientConfig& config, mcp::ClientOptions base = {});

// HttpSigner returns a client hook that signs each HTTP request with RFC 9421 (keyid: the
// identity's verification method).
mcp::HttpRequestSigner HttpSigner(std::shared_ptr<const identity::Identity> signer);

// DefaultResolver resolves did:key offline and did:web over HTTPS (public addresses, cached).
std::shared_ptr<const identity::DidResolver> DefaultResolver();

}  // namespace aip::mcpsig
