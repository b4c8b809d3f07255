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

class ProofAuthenticator final : public mcp::RequestAuthenticator {
 public:
  explicit ProofAuthenticator(VerifyOptions options) : options_(std::move(options)) {}
  std::variant<std::optional<mcp::Principal>, mcp::AuthFailure> Authenticate(const json::Object& request,
                                                                               const mcp::HttpInfo* http) override;
  // AddAudience accepts one more audience (a server learns its URL once it listens).
  void AddAudience(std::string audience);

 private:
  std::mutex mu_;
  VerifyOptions options_;
};

// HttpSignatureAuthenticator verifies an RFC 9421 signature on the HTTP request that carried
// the message (aip's profile, docs/protocol.md): keyid is a DID URL authorized for
// authentication; the nonce is spent once.
class HttpSignatureAuthenticator final : public mcp::RequestAuthenticator {
 public:
  HttpSignatureAuthenticator(std::shared_ptr<const identity::DidResolver> resolver,
                             std::shared_ptr<ReplayCache> replay_cache)
      : resolver_(std::move(resolver)), replay_cache_(std::move(replay_cache)) {}
  std::variant<std::optional<mcp::Principal>, mcp::AuthFailure> Authenticate(const json::Object& request,
                                                                               const mcp::HttpInfo* http) override;

 private:
  std::shared_ptr<const identity::DidResolver> resolver_;
  std::shared_ptr<ReplayCache> replay_cache_;
};

class ProofResultSigner final : public mcp::ResultSigner {
 public:
  explicit ProofResultSigner(std::shared_ptr<const identity::Identity> signer) : signer_(std::move(signer)) {}
  void Sign(const json::Object& request, json::Object& result) override;

 private:
  std::shared_ptr<const identity::Identity> signer_;
};

// HttpSigner returns a client hook that signs each HTTP request with RFC 9421 (keyid: the
// identity's verification method).
mcp::HttpRequestSigner HttpSigner(std::shared_ptr<const identity::Identity> signer);

// DefaultResolver resolves did:key offline and did:web over HTTPS (public addresses, cached).
std::shared_ptr<const identity::DidResolver> DefaultResolver();

}  // namespace aip::mcpsig
