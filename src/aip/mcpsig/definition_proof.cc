#include "aip/mcpsig/definition_proof.h"

#include "aip/base/jcs.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/did_key.h"
#include "aip/pins/definition_pin.h"

namespace aip::mcpsig {
namespace {

// Unsecured is the definition without its proof (and without an _meta that held only that).
json::Object Unsecured(const json::Object& definition) {
  json::Object doc = definition;
  if (json::Value* meta = doc.if_contains("_meta"); meta != nullptr && meta->is_object()) {
    meta->as_object().erase(pins::kDefinitionProofKey);
    if (meta->as_object().empty()) doc.erase("_meta");
  }
  return doc;
}

const json::Object* ProofIn(const json::Object& o, std::string_view key) {
  const json::Value* meta = o.if_contains("_meta");
  const json::Value* proof = meta != nullptr && meta->is_object() ? meta->get_object().if_contains(key) : nullptr;
  return proof != nullptr && proof->is_object() ? &proof->get_object() : nullptr;
}

Result<json::Object> Proof(const json::Object& unsecured, const identity::Identity& signer, TimePoint now) {
  identity::ProofOptions o;
  o.verification_method = signer.verification_method();
  o.purpose = identity::Purpose::kAssertionMethod;
  o.created = std::chrono::floor<std::chrono::seconds>(now);
  return identity::CreateProof(unsecured, signer, o);
}

Result<std::string> Verify(const json::Object& unsecured, const json::Object& proof) {
  identity::ProofExpectations e;
  e.purpose = identity::Purpose::kAssertionMethod;
  // Definitions are signed once and listed for long: only a proof from the future is refused.
  auto v = identity::VerifyDetachedProof(unsecured, proof, identity::DidKeyResolver(), e);
  if (!v) return UnauthenticatedError(v.error().message);
  return v->method.controller;
}

}  // namespace

Result<json::Object> ProofDefinitionSigner::ProofFor(const std::string& key, const json::Object& unsecured, TimePoint now) {
  {
    std::lock_guard lock(mu_);
    if (auto it = proofs_.find(key); it != proofs_.end()) return it->second;
  }
  AIP_ASSIGN_OR_RETURN(json::Object proof, Proof(unsecured, *signer_, now));
  std::lock_guard lock(mu_);
  if (proofs_.size() >= 4096) proofs_.clear();
  proofs_.emplace(key, proof);
  return proof;
}

Status ProofDefinitionSigner::Sign(std::string_view kind, json::Array& items, json::Object& result_meta) {
  std::string page = std::string(kind) + "\n" + json::Serialize(json::Value(items));
  {
    std::lock_guard lock(mu_);
    if (last_signed_ && page == last_page_) {
      items = last_signed_->first;
      result_meta[kListProofKey] = last_signed_->second;
      return OkStatus();
    }
  }
  TimePoint now = clock_->Now();
  for (auto& item : items) {
    if (!item.is_object()) continue;
    json::Object& o = item.as_object();
    json::Object unsecured = Unsecured(o);
    AIP_ASSIGN_OR_RETURN(std::string hash, pins::DefinitionHash(unsecured));
    AIP_ASSIGN_OR_RETURN(json::Object proof, ProofFor("definition " + hash, unsecured, now));
    json::Object meta;
    if (const json::Value* m = o.if_contains("_meta"); m != nullptr && m->is_object()) meta = m->get_object();
    meta[pins::kDefinitionProofKey] = std::move(proof);
    o["_meta"] = std::move(meta);
  }
  AIP_ASSIGN_OR_RETURN(json::Object document, ListProofDocument(kind, items));
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(document));
  AIP_ASSIGN_OR_RETURN(json::Object proof, ProofFor("list " + canonical, document, now));
  result_meta[kListProofKey] = proof;
  std::lock_guard lock(mu_);
  last_page_ = std::move(page);
  last_signed_ = std::make_shared<const std::pair<json::Array, json::Object>>(items, std::move(proof));
  return OkStatus();
}

Result<json::Object> ListProofDocument(std::string_view kind, const json::Array& items) {
  json::Array hashes;
  for (const auto& item : items) {
    if (!item.is_object()) return InvalidArgumentError("a listed item is not an object");
    AIP_ASSIGN_OR_RETURN(std::string hash, pins::DefinitionHash(item.get_object()));
    hashes.emplace_back(hash);
  }
  return json::Object{{"type", kListProofType}, {"kind", kind}, {"items", std::move(hashes)}};
}

Result<std::string> VerifyDefinitionProof(const json::Object& definition) {
  const json::Object* proof = ProofIn(definition, pins::kDefinitionProofKey);
  if (proof == nullptr) return UnauthenticatedError("the definition is not signed");
  auto signer = Verify(Unsecured(definition), *proof);
  if (!signer) return UnauthenticatedError("definition signature: " + signer.error().message);
  return signer;
}

Result<std::string> CachedDefinitionVerifier::Verify(const json::Object& definition) {
  const json::Object* proof = ProofIn(definition, pins::kDefinitionProofKey);
  if (proof == nullptr) return UnauthenticatedError("the definition is not signed");
  auto hash = pins::DefinitionHash(definition);
  auto proof_text = json::Canonicalize(*proof);
  if (!hash || !proof_text) return VerifyDefinitionProof(definition);
  std::string key = *hash + "\n" + *proof_text;
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(key); it != verified_.end()) return it->second;
  }
  AIP_ASSIGN_OR_RETURN(std::string signer, VerifyDefinitionProof(definition));
  std::lock_guard lock(mu_);
  if (verified_.size() >= capacity_) verified_.clear();
  verified_.emplace(std::move(key), signer);
  return signer;
}

Result<std::string> VerifyListProof(std::string_view kind, const json::Array& items, const json::Object& result) {
  const json::Object* proof = ProofIn(result, kListProofKey);
  if (proof == nullptr) return UnauthenticatedError("the list is not signed");
  AIP_ASSIGN_OR_RETURN(json::Object document, ListProofDocument(kind, items));
  auto signer = Verify(document, *proof);
  if (!signer) return UnauthenticatedError("list signature: " + signer.error().message);
  return signer;
}

}  // namespace aip::mcpsig
