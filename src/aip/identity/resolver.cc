#include "aip/identity/resolver.h"

#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::identity {
namespace {

Result<Resolution> FromDocument(json::Object doc) {
  AIP_ASSIGN_OR_RETURN(DidDocument parsed, DidDocument::FromJson(json::Value(doc)));
  return Resolution{std::move(doc), std::move(parsed)};
}

}  // namespace

Result<VerificationMethod> DidResolver::ResolveKey(std::string_view vm_id, Purpose purpose) const {
  std::size_t hash = vm_id.find('#');
  if (hash == std::string_view::npos || hash == 0) {
    return InvalidArgumentError("verification method must be a DID URL with a fragment");
  }
  AIP_ASSIGN_OR_RETURN(Resolution r, Resolve(vm_id.substr(0, hash)));
  return r.parsed.KeyFor(vm_id, purpose);
}

Result<crypto::Ed25519PublicKey> DidResolver::KeyOf(std::string_view did, Purpose purpose) const {
  AIP_ASSIGN_OR_RETURN(Resolution r, Resolve(did));
  for (const VerificationMethod& m : r.parsed.methods()) {
    if (r.parsed.KeyFor(m.id, purpose).ok()) return m.key;
  }
  return FailedPreconditionError("the DID has no key for " + std::string(PurposeName(purpose)));
}

Result<crypto::Ed25519PublicKey> DidKeyResolver::KeyOf(std::string_view did, Purpose) const {
  if (!did.starts_with(kDidKeyPrefix)) return NotFoundError("not a did:key");
  return PublicKeyFromDidKey(did);
}

Result<VerificationMethod> DidKeyResolver::ResolveKey(std::string_view vm_id, Purpose) const {
  std::size_t hash = vm_id.find('#');
  if (hash == std::string_view::npos) return InvalidArgumentError("verification method must be a DID URL with a fragment");
  std::string_view did = vm_id.substr(0, hash);
  if (!did.starts_with(kDidKeyPrefix)) return NotFoundError("not a did:key");
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(did));
  if (vm_id.substr(hash + 1) != did.substr(kDidKeyPrefix.size())) {
    return NotFoundError("verification method not found in the DID document");
  }
  return VerificationMethod{std::string(vm_id), "Multikey", std::string(did), key};
}

Result<Resolution> DidKeyResolver::Resolve(std::string_view did) const {
  if (!did.starts_with(kDidKeyPrefix)) return NotFoundError("not a did:key");
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(did));
  AIP_ASSIGN_OR_RETURN(json::Object doc, BuildDidDocument(did, key));
  return FromDocument(std::move(doc));
}

Status StaticKeyResolver::Add(std::string_view did, const crypto::Ed25519PublicKey& key) {
  if ((did.starts_with(kDidAipPrefix) || did.starts_with(kDidKeyPrefix)) && !DidMatchesKey(did, key)) {
    return InvalidArgumentError("DID does not match its public key");
  }
  keys_.insert_or_assign(std::string(did), key);
  return OkStatus();
}

Result<crypto::Ed25519PublicKey> StaticKeyResolver::KeyOf(std::string_view did, Purpose) const {
  auto it = keys_.find(did);
  if (it == keys_.end()) return NotFoundError("unknown DID");
  return it->second;
}

Result<Resolution> StaticKeyResolver::Resolve(std::string_view did) const {
  auto it = keys_.find(did);
  if (it == keys_.end()) return NotFoundError("unknown DID");
  DidDocumentOptions options;
  if (!did.starts_with(kDidKeyPrefix)) options.also_known_as.push_back(DidKeyFromPublicKey(it->second));
  AIP_ASSIGN_OR_RETURN(json::Object doc, BuildDidDocument(did, it->second, options));
  return FromDocument(std::move(doc));
}

void CompositeResolver::Register(std::string method_prefix, std::shared_ptr<const DidResolver> resolver) {
  resolvers_.emplace_back(std::move(method_prefix), std::move(resolver));
}

template <typename T, typename F>
Result<T> CompositeResolver::FirstKnowing(std::string_view did, F ask) const {
  bool handled = false;
  for (const auto& [prefix, resolver] : resolvers_) {
    if (!did.starts_with(prefix)) continue;
    handled = true;
    Result<T> r = ask(*resolver);
    if (r || r.error().code != ErrorCode::kNotFound) return r;
  }
  if (!handled) return NotFoundError("no resolver for this DID method");
  return NotFoundError("DID not found");
}

Result<Resolution> CompositeResolver::Resolve(std::string_view did) const {
  return FirstKnowing<Resolution>(did, [&](const DidResolver& r) { return r.Resolve(did); });
}

Result<crypto::Ed25519PublicKey> CompositeResolver::KeyOf(std::string_view did, Purpose purpose) const {
  return FirstKnowing<crypto::Ed25519PublicKey>(did, [&](const DidResolver& r) { return r.KeyOf(did, purpose); });
}

Result<VerificationMethod> ResolveVerificationKey(const DidResolver& resolver, std::string_view vm_id, Purpose purpose) {
  return resolver.ResolveKey(vm_id, purpose);
}

Result<VerificationMethod> CompositeResolver::ResolveKey(std::string_view vm_id, Purpose purpose) const {
  return FirstKnowing<VerificationMethod>(vm_id, [&](const DidResolver& r) { return r.ResolveKey(vm_id, purpose); });
}

json::Object ResolutionResult(const Resolution& r) {
  return json::Object{{"@context", "https://w3id.org/did-resolution/v1"},
                      {"didDocument", r.document},
                      {"didResolutionMetadata", json::Object{{"contentType", "application/did+ld+json"}}},
                      {"didDocumentMetadata", json::Object{}}};
}

}  // namespace aip::identity
