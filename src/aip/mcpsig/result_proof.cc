#include "aip/mcpsig/result_proof.h"

#include "aip/identity/data_integrity.h"
#include "aip/identity/did_aip.h"
#include "aip/mcpsig/request_proof.h"

namespace aip::mcpsig {
namespace {

json::Object Unsecured(const json::Object& result) {
  json::Object doc = result;
  if (json::Value* meta = doc.if_contains("_meta"); meta != nullptr && meta->is_object()) {
    meta->as_object().erase(kProofKey);
    if (meta->as_object().empty()) doc.erase("_meta");
  }
  return doc;
}

}  // namespace

Status SignResult(const json::Object& request, json::Object& result, const identity::Identity& signer) {
  AIP_ASSIGN_OR_RETURN(std::string digest, DigestOfRequest(request));
  identity::ProofOptions o;
  o.verification_method = signer.verification_method();
  o.purpose = identity::Purpose::kAssertionMethod;
  o.created = std::chrono::floor<std::chrono::seconds>(DefaultClock().Now());
  o.challenge = digest;
  AIP_ASSIGN_OR_RETURN(json::Object proof, identity::CreateProof(Unsecured(result), signer, o));
  json::Object meta;
  if (const json::Value* m = result.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
  meta[kProofKey] = std::move(proof);
  result["_meta"] = std::move(meta);
  return OkStatus();
}

Result<VerifiedResult> VerifyResult(const json::Object& request, const json::Object& result, const identity::DidResolver& resolver,
                                    const std::optional<std::string>& expected_signer) {
  const json::Value* meta = result.if_contains("_meta");
  const json::Value* proof = meta != nullptr && meta->is_object() ? meta->get_object().if_contains(kProofKey) : nullptr;
  if (proof == nullptr || !proof->is_object()) return UnauthenticatedError("the result is not signed");
  AIP_ASSIGN_OR_RETURN(std::string digest, DigestOfRequest(request));
  identity::ProofExpectations e;
  e.purpose = identity::Purpose::kAssertionMethod;
  e.challenge = digest;
  auto v = identity::VerifyDetachedProof(Unsecured(result), proof->get_object(), resolver, e);
  if (!v) return UnauthenticatedError("result signature: " + v.error().message);
  if (expected_signer && !identity::DidMatchesKey(*expected_signer, v->method.key)) {
    return UnauthenticatedError("the result was signed by " + v->method.controller + ", not " + *expected_signer);
  }
  return VerifiedResult{v->method.controller};
}

}  // namespace aip::mcpsig
