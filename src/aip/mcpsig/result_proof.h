// Signed MCP results: a server signs what it answered, bound to the request. The proof sits in
// result._meta["dev.aip/proof"] (proofPurpose "assertionMethod"); its `challenge` is
// DigestOfRequest of the request it answers, so a signed result cannot be replayed as the
// answer to another request. The secured document is the result without that proof.
#pragma once

#include <optional>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/identity/resolver.h"

namespace aip::mcpsig {

Status SignResult(const json::Object& request, json::Object& result, const identity::Identity& signer);

struct VerifiedResult {
  std::string signer;  // DID of the server that signed.
};

// VerifyResult checks a result's proof against the request that was sent; with
// `expected_signer` the signer must be that DID. kUnauthenticated when the proof is missing or
// wrong in any way.
Result<VerifiedResult> VerifyResult(const json::Object& request, const json::Object& result, const identity::DidResolver& resolver,
                                    const std::optional<std::string>& expected_signer);

}  // namespace aip::mcpsig
