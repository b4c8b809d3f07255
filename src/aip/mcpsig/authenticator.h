// Plugging signed calls into the MCP server SDK: ProofAuthenticator verifies request proofs
// (and answers which agent called); ProofResultSigner signs every result with the server's key.
#pragma once

#include <memory>
#include <mutex>

#include "aip/mcp/server.h"
#include "aip/mcpsig/request_proof.h"
#include "aip/mcpsig/result_proof.h"

namespace aip::mcpsig {

class ProofAuthenticator final : public mcp::RequestAuthenticator {
 public:
  explicit ProofAuthenticator(VerifyOptions options) : options_(std::move(options)) {}
  std::variant<std::optional<mcp::Principal>, mcp::AuthFailure> Authenticate(const json::Object& request) override;
  // AddAudience accepts one more audience (a server learns its URL once it listens).
  void AddAudience(std::string audience);

 private:
  std::mutex mu_;
  VerifyOptions options_;
};

class ProofResultSigner final : public mcp::ResultSigner {
 public:
  explicit ProofResultSigner(std::shared_ptr<const identity::Identity> signer) : signer_(std::move(signer)) {}
  void Sign(const json::Object& request, json::Object& result) override;

 private:
  std::shared_ptr<const identity::Identity> signer_;
};

// DefaultResolver resolves did:key offline.
std::shared_ptr<const identity::DidResolver> DefaultResolver();

}  // namespace aip::mcpsig
