#include "aip/mcpsig/request_proof.h"

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/did_key.h"

namespace aip::mcpsig {
namespace {

ProofError Refuse(std::string reason, std::string message) { return ProofError{std::move(reason), std::move(message)}; }

// FromStatus maps what the Data Integrity verifier reports, once the call-specific checks
// (audience, time window, key type) have passed, to a stable reason.
ProofError FromStatus(const Error& e) {
  switch (e.code) {
    case ErrorCode::kNotFound:
    case ErrorCode::kUnavailable:
      return Refuse("unresolvable_did", "the signer's DID does not resolve: " + e.message);
    case ErrorCode::kPermissionDenied:
      return Refuse("key_not_authorized", "the key is not authorized for authentication");
    case ErrorCode::kUnauthenticated:
      return Refuse("bad_signature", "the signature does not verify");
    default:
      return Refuse("malformed_proof", e.message);
  }
}

}  // namespace

Result<json::Object> SecuredRequestDocument(const json::Object& request) {
  // Built member by member, leaving out the id and the proof: the proof (the largest part of a
  // small call) is never copied only to be erased.
  json::Object doc;
  for (const auto& kv : request) {
    if (kv.key() == "id") continue;
    if (kv.key() != "jsonrpc" && kv.key() != "method" && kv.key() != "params") {
      return InvalidArgumentError("a signed request may only have jsonrpc, id, method and params");
    }
    const json::Value* meta = kv.key() == "params" && kv.value().is_object() ? kv.value().get_object().if_contains("_meta") : nullptr;
    if (meta == nullptr || !meta->is_object()) {
      doc.emplace(kv.key(), kv.value());
      continue;
    }
    json::Object& params = doc.emplace(kv.key(), json::Object{}).first->value().as_object();
    for (const auto& pkv : kv.value().get_object()) {
      if (pkv.key() != "_meta") params.emplace(pkv.key(), pkv.value());
    }
    json::Object& kept = params.emplace("_meta", json::Object{}).first->value().as_object();
    for (const auto& mkv : meta->get_object()) {
      if (mkv.key() != kProofKey) kept.emplace(mkv.key(), mkv.value());
    }
  }
  return doc;
}

Status SignRequest(json::Object& request, const identity::Identity& signer, const SignOptions& options) {
  if (options.lifetime > kMaxProofLifetime || options.lifetime.count() <= 0) {
    return InvalidArgumentError("proof lifetime must be between 1 s and 5 min");
  }
  if (options.audience.empty()) return InvalidArgumentError("a signed request needs an audience");
  if (!request.contains("params")) request["params"] = json::Object{};
  if (!request.at("params").is_object()) return InvalidArgumentError("params must be an object");
  json::Object& params = request["params"].as_object();
  if (!params.contains("_meta")) params["_meta"] = json::Object{};
  if (!params.at("_meta").is_object()) return InvalidArgumentError("_meta must be an object");
  params["_meta"].as_object().erase(kProofKey);
  AIP_ASSIGN_OR_RETURN(json::Object doc, SecuredRequestDocument(request));
  identity::ProofOptions o;
  o.verification_method = signer.verification_method();
  o.purpose = identity::Purpose::kAuthentication;
  o.created = std::chrono::floor<std::chrono::seconds>(options.clock->Now());
  o.expires = o.created + options.lifetime;
  o.domain = options.audience;
  o.challenge = crypto::RandomId(16);
  AIP_ASSIGN_OR_RETURN(json::Object proof, identity::CreateProof(doc, signer, o));
  params["_meta"].as_object()[kProofKey] = std::move(proof);
  return OkStatus();
}

std::variant<authn::Principal, ProofError> VerifyRequest(const json::Object& request, const VerifyOptions& options) {
  const json::Value* params = request.if_contains("params");
  const json::Value* meta = params != nullptr && params->is_object() ? params->get_object().if_contains("_meta") : nullptr;
  const json::Value* found = meta != nullptr && meta->is_object() ? meta->get_object().if_contains(kProofKey) : nullptr;
  if (found == nullptr) return Refuse("missing_proof", "the request carries no dev.aip/proof");
  if (!found->is_object()) return Refuse("malformed_proof", "the proof must be an object");
  const json::Object& p = found->get_object();
  auto secured = SecuredRequestDocument(request);
  if (!secured) return Refuse("malformed_proof", secured.error().message);
  const json::Object& doc = *secured;
  // Required members of a call proof, beyond what Data Integrity itself requires.
  for (const char* k :
       {"type", "cryptosuite", "proofPurpose", "created", "expires", "domain", "challenge", "verificationMethod", "proofValue"}) {
    if (!p.contains(k) || !p.at(k).is_string()) {
      return Refuse("malformed_proof", std::string("the proof must have a string \"") + k + "\"");
    }
  }
  if (p.at("type").get_string() != "DataIntegrityProof" || p.at("cryptosuite").get_string() != "eddsa-jcs-2022") {
    return Refuse("unsupported_proof", "only DataIntegrityProof / eddsa-jcs-2022 is accepted");
  }
  if (p.at("proofPurpose").get_string() != "authentication") {
    return Refuse("malformed_proof", "a call proof's purpose must be authentication");
  }
  std::string_view vm = p.at("verificationMethod").get_string();
  if (vm.starts_with(identity::kDidKeyPrefix) && !identity::PublicKeyFromDidKey(vm.substr(0, vm.find('#')))) {
    return Refuse("unsupported_key_type", "the verification method is not an Ed25519 key");
  }
  auto created = ParseTime(p.at("created").get_string());
  auto expires = ParseTime(p.at("expires").get_string());
  if (!created || !expires) return Refuse("malformed_proof", "created/expires are not valid timestamps");
  if (*expires <= *created) return Refuse("malformed_proof", "the proof expires before it is created");
  if (*expires - *created > kMaxProofLifetime) {
    return Refuse("lifetime_too_long", "created and expires are more than 5 minutes apart");
  }
  std::string_view challenge = p.at("challenge").get_string();
  if (challenge.size() < 16 || challenge.size() > 128) return Refuse("malformed_proof", "the challenge must be 16 to 128 characters");
  std::string_view domain = p.at("domain").get_string();
  bool audience_ok = false;
  for (const auto& a : options.audiences) audience_ok = audience_ok || a == domain;
  if (!audience_ok) return Refuse("wrong_audience", "the proof is for another audience");
  TimePoint now = options.clock->Now();
  if (*created > now + options.max_skew) return Refuse("not_yet_valid", "the proof is dated in the future beyond the allowed skew");
  if (*expires + options.max_skew < now) return Refuse("expired", "the proof has expired");

  identity::ProofExpectations e;
  e.purpose = identity::Purpose::kAuthentication;
  e.domain = std::string(domain);
  e.clock = options.clock;
  e.max_skew = options.max_skew;
  auto verified = identity::VerifyDetachedProof(doc, p, *options.resolver, e);
  if (!verified) return FromStatus(verified.error());

  // Only a proof whose signature verified may spend a nonce: no one can burn another's nonces.
  if (options.replay_cache) {
    std::string key = verified->method.id + "|" + std::string(challenge);
    if (auto refused = authn::ReplayRefusal(options.replay_cache->Remember(key, *created, *expires + options.max_skew, now))) {
      return Refuse(refused->reason, refused->message);
    }
  }
  authn::Principal principal;
  principal.kind = authn::Principal::Kind::kAgent;
  principal.did = verified->method.controller;
  principal.id = principal.did;
  principal.verification_method = verified->method.id;
  principal.audience = std::string(domain);
  principal.created = *created;
  return principal;
}

Result<std::string> DigestOfRequest(const json::Object& request) {
  AIP_ASSIGN_OR_RETURN(json::Object doc, SecuredRequestDocument(request));
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  return "sha-256=" + Base64UrlEncode(crypto::Sha256(AsBytes(canonical)));
}

}  // namespace aip::mcpsig
