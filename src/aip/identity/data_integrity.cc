#include "aip/identity/data_integrity.h"

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"

namespace aip::identity {
namespace {

json::Object ProofConfig(const json::Object& unsecured, const ProofOptions& o) {
  json::Object config{{"type", "DataIntegrityProof"},
                      {"cryptosuite", kCryptosuite},
                      {"created", FormatTime(o.created)},
                      {"verificationMethod", o.verification_method},
                      {"proofPurpose", PurposeName(o.purpose)}};
  if (o.expires) config["expires"] = FormatTime(*o.expires);
  if (o.domain) config["domain"] = *o.domain;
  if (o.challenge) config["challenge"] = *o.challenge;
  // §3.3.5: the proof config carries the document's @context so it cannot be swapped.
  if (const json::Value* ctx = unsecured.if_contains("@context")) config["@context"] = *ctx;
  return config;
}

// The proof's members are read with one reader whose errors name them ("/proof/created: must be
// a string"); every text member is bounded, so a proof cannot make the verifier copy megabytes.
constexpr std::size_t kMaxProofMemberBytes = 2048;

Result<std::optional<TimePoint>> OptionalTime(const json::FieldReader& proof, std::string_view key) {
  if (!proof.Has(key)) return std::optional<TimePoint>();
  std::string text;
  AIP_RETURN_IF_ERROR(proof.String(key, text, json::Need::kRequired, 64));
  auto t = ParseTime(text);
  if (!t) return proof.Fail(key, t.error().message);
  return std::optional<TimePoint>(*t);
}

Result<std::optional<std::string>> OptionalText(const json::FieldReader& proof, std::string_view key) {
  if (!proof.Has(key)) return std::optional<std::string>();
  std::string text;
  AIP_RETURN_IF_ERROR(proof.String(key, text, json::Need::kRequired, kMaxProofMemberBytes));
  return std::optional<std::string>(std::move(text));
}

Result<std::string> RequiredText(const json::FieldReader& proof, std::string_view key) {
  std::string text;
  AIP_RETURN_IF_ERROR(proof.String(key, text, json::Need::kRequired, kMaxProofMemberBytes));
  return text;
}

}  // namespace

Result<ProofHashInput> ComputeHashInput(const json::Object& unsecured, const json::Object& proof_config) {
  ProofHashInput in;
  AIP_ASSIGN_OR_RETURN(in.canonical_proof_config, json::Canonicalize(proof_config));
  AIP_ASSIGN_OR_RETURN(in.canonical_document, json::Canonicalize(unsecured));
  in.hash_data = Concat({crypto::Sha256(AsBytes(in.canonical_proof_config)), crypto::Sha256(AsBytes(in.canonical_document))});
  return in;
}

Result<json::Object> CreateProof(const json::Object& unsecured, const Identity& signer, const ProofOptions& options) {
  if (unsecured.contains("proof")) return InvalidArgumentError("document already has a proof");
  if (options.expires && *options.expires <= options.created) {
    return InvalidArgumentError("proof expires before it is created");
  }
  json::Object config = ProofConfig(unsecured, options);
  AIP_ASSIGN_OR_RETURN(ProofHashInput in, ComputeHashInput(unsecured, config));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519Signature signature, signer.SignStandard(StandardInput::kDataIntegrityHash, in.hash_data));
  config["proofValue"] = MultibaseEncode(signature);
  return config;
}

Result<json::Object> AddProof(json::Object unsecured, const Identity& signer, const ProofOptions& options) {
  AIP_ASSIGN_OR_RETURN(json::Object proof, CreateProof(unsecured, signer, options));
  unsecured["proof"] = std::move(proof);
  return unsecured;
}

Result<VerifiedProof> VerifyProof(const json::Object& secured, const DidResolver& resolver, const ProofExpectations& expect) {
  const json::Value* proof_value = secured.if_contains("proof");
  if (proof_value == nullptr) return InvalidArgumentError("missing proof");
  if (!proof_value->is_object()) return InvalidArgumentError("proof must be a single object");
  json::Object unsecured = secured;
  unsecured.erase("proof");
  return VerifyDetachedProof(unsecured, proof_value->get_object(), resolver, expect);
}

Result<VerifiedProof> VerifyDetachedProof(const json::Object& unsecured, const json::Object& proof, const DidResolver& resolver,
                                          const ProofExpectations& expect) {
  json::FieldReader read(proof, "/proof");
  AIP_ASSIGN_OR_RETURN(std::string type, RequiredText(read, "type"));
  AIP_ASSIGN_OR_RETURN(std::string suite, RequiredText(read, "cryptosuite"));
  if (type != "DataIntegrityProof" || suite != kCryptosuite) {
    return InvalidArgumentError("unsupported proof type: need DataIntegrityProof / eddsa-jcs-2022");
  }
  AIP_ASSIGN_OR_RETURN(std::string proof_value_text, RequiredText(read, "proofValue"));
  if (proof_value_text.empty() || proof_value_text[0] != 'z') {
    return InvalidArgumentError("proofValue must be base58btc multibase");
  }
  AIP_ASSIGN_OR_RETURN(Bytes signature, MultibaseDecode(proof_value_text));
  if (signature.size() != crypto::kEd25519SignatureSize) return InvalidArgumentError("proofValue is not 64 bytes");
  json::Object options = proof;  // The proof without proofValue: what was signed.
  options.erase("proofValue");

  // §3.3.2: a proof @context must match the start of the document's @context.
  if (const json::Value* pctx = options.if_contains("@context")) {
    const json::Value* dctx = unsecured.if_contains("@context");
    if (dctx == nullptr) return InvalidArgumentError("proof @context without a document @context");
    if (*pctx != *dctx) {
      if (!pctx->is_array() || !dctx->is_array() || pctx->get_array().size() > dctx->get_array().size()) {
        return InvalidArgumentError("proof @context does not match the document");
      }
      for (std::size_t i = 0; i < pctx->get_array().size(); ++i) {
        if (pctx->get_array()[i] != dctx->get_array()[i]) {
          return InvalidArgumentError("proof @context does not match the document");
        }
      }
    }
  }

  AIP_ASSIGN_OR_RETURN(std::string purpose_name, RequiredText(read, "proofPurpose"));
  AIP_ASSIGN_OR_RETURN(Purpose purpose, ParsePurpose(purpose_name));
  if (purpose != expect.purpose) {
    return UnauthenticatedError("proof purpose is " + std::string(purpose_name) + ", expected " + std::string(PurposeName(expect.purpose)));
  }
  AIP_ASSIGN_OR_RETURN(std::optional<TimePoint> created, OptionalTime(read, "created"));
  AIP_ASSIGN_OR_RETURN(std::optional<TimePoint> expires, OptionalTime(read, "expires"));
  AIP_ASSIGN_OR_RETURN(std::optional<std::string> domain, OptionalText(read, "domain"));
  AIP_ASSIGN_OR_RETURN(std::optional<std::string> challenge, OptionalText(read, "challenge"));
  if (expect.domain && domain != expect.domain) return UnauthenticatedError("proof is for another domain");
  if (expect.challenge && challenge != expect.challenge) return UnauthenticatedError("proof challenge mismatch");
  if (expect.check_time) {
    TimePoint now = expect.clock->Now();
    if (created && *created > now + expect.max_skew) return UnauthenticatedError("proof created in the future");
    if (expires && *expires + expect.max_skew < now) return UnauthenticatedError("proof expired");
  }

  AIP_ASSIGN_OR_RETURN(std::string vm, RequiredText(read, "verificationMethod"));
  AIP_ASSIGN_OR_RETURN(VerificationMethod method, ResolveVerificationKey(resolver, vm, purpose));
  AIP_ASSIGN_OR_RETURN(ProofHashInput in, ComputeHashInput(unsecured, options));
  AIP_RETURN_IF_ERROR(crypto::Verify(method.key, in.hash_data, signature));
  return VerifiedProof{std::move(method), created, expires, std::move(domain), std::move(challenge)};
}

}  // namespace aip::identity
