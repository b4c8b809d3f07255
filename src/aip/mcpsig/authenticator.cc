#include "aip/mcpsig/authenticator.h"

#include "aip/identity/did_key.h"

namespace aip::mcpsig {

std::variant<std::optional<mcp::Principal>, mcp::AuthFailure> ProofAuthenticator::Authenticate(
    const json::Object& request) {
  VerifyOptions options;
  {
    std::lock_guard lock(mu_);
    options = options_;
  }
  auto verified = VerifyRequest(request, options);  // Copies: the server keeps its request.
  if (auto* err = std::get_if<ProofError>(&verified)) {
    if (err->reason == "missing_proof") return std::optional<mcp::Principal>();
    return mcp::AuthFailure{err->reason, err->message};
  }
  return std::optional<mcp::Principal>(std::get<mcp::Principal>(std::move(verified)));
}

void ProofAuthenticator::AddAudience(std::string audience) {
  std::lock_guard lock(mu_);
  options_.audiences.push_back(std::move(audience));
}

void ProofResultSigner::Sign(const json::Object& request, json::Object& result) {
  // A result that cannot be signed goes out unsigned; clients that require signatures refuse it.
  (void)SignResult(request, result, *signer_);
}

std::shared_ptr<const identity::DidResolver> DefaultResolver() {
  auto r = std::make_shared<identity::CompositeResolver>();
  r->Register(std::string(identity::kDidKeyPrefix), std::make_shared<identity::DidKeyResolver>());
  return r;
}

}  // namespace aip::mcpsig
