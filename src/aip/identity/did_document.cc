#include "aip/identity/did_document.h"

#include "aip/base/encoding.h"
#include "aip/crypto/x25519.h"
#include "aip/identity/did_key.h"

namespace aip::identity {

bool IsWellFormedDid(std::string_view did) {
  if (!did.starts_with("did:") || did.size() > 512) return false;
  std::size_t colon = did.find(':', 4);
  if (colon == std::string_view::npos || colon == 4 || colon + 1 == did.size() || did.back() == ':') return false;
  for (char c : did.substr(4, colon - 4)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  std::string_view id = did.substr(colon + 1);
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == ':';
    if (plain) continue;
    if (c != '%' || i + 2 >= id.size() || !hex(id[i + 1]) || !hex(id[i + 2])) return false;
    i += 2;
  }
  return true;
}
namespace {

constexpr std::string_view kPurposeNames[] = {"authentication", "assertionMethod", "capabilityInvocation", "capabilityDelegation"};
constexpr std::size_t kMaxMethods = 64;

std::string Absolute(std::string_view did, std::string_view ref) {
  if (!ref.empty() && ref[0] == '#') return std::string(did) + std::string(ref);
  return std::string(ref);
}

Result<VerificationMethod> ParseMethod(std::string_view did, const json::Object& vm) {
  AIP_ASSIGN_OR_RETURN(std::string_view id, json::RequireString(vm, "id"));
  AIP_ASSIGN_OR_RETURN(std::string_view type, json::RequireString(vm, "type"));
  std::string_view controller = json::OptionalString(vm, "controller").value_or(did);
  std::optional<crypto::Ed25519PublicKey> key;
  if (auto mb = json::OptionalString(vm, "publicKeyMultibase")) {
    AIP_ASSIGN_OR_RETURN(key, ParseEd25519Multikey(*mb));
  } else if (auto b58 = json::OptionalString(vm, "publicKeyBase58")) {
    AIP_ASSIGN_OR_RETURN(Bytes raw, Base58Decode(*b58));
    AIP_ASSIGN_OR_RETURN(key, crypto::Ed25519PublicKey::FromBytes(raw));
  } else if (const json::Value* jwk = vm.if_contains("publicKeyJwk"); jwk != nullptr && jwk->is_object()) {
    const json::Object& j = jwk->get_object();
    if (json::OptionalString(j, "kty") != "OKP" || json::OptionalString(j, "crv") != "Ed25519") {
      return InvalidArgumentError("verification method JWK is not an Ed25519 OKP key");
    }
    AIP_ASSIGN_OR_RETURN(std::string_view x, json::RequireString(j, "x"));
    AIP_ASSIGN_OR_RETURN(Bytes raw, Base64UrlDecode(x));
    AIP_ASSIGN_OR_RETURN(key, crypto::Ed25519PublicKey::FromBytes(raw));
  } else {
    return InvalidArgumentError("verification method has no public key");
  }
  return VerificationMethod{Absolute(did, id), std::string(type), std::string(controller), *key};
}

bool IsEd25519Type(std::string_view type) {
  return type == "Multikey" || type == "Ed25519VerificationKey2020" || type == "Ed25519VerificationKey2018" || type == "JsonWebKey2020" ||
         type == "JsonWebKey";
}

}  // namespace

std::string_view PurposeName(Purpose p) { return kPurposeNames[static_cast<int>(p)]; }

Result<Purpose> ParsePurpose(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kPurposeNames[i] == name) return static_cast<Purpose>(i);
  }
  return InvalidArgumentError("unknown proof purpose \"" + std::string(name) + "\"");
}

Result<json::Object> BuildDidDocument(std::string_view did, const crypto::Ed25519PublicKey& key, const DidDocumentOptions& options) {
  AIP_ASSIGN_OR_RETURN(crypto::X25519PublicKey x25519, crypto::X25519PublicFromEd25519(key));
  std::string ed_mk = Ed25519Multikey(key);
  std::string x_mk = X25519Multikey(x25519);
  bool multikey = options.format == KeyFormat::kMultikey;
  std::string vm_id = std::string(did) + "#" + ed_mk;
  std::string ka_id = std::string(did) + "#" + x_mk;

  json::Object doc;
  json::Array context{"https://www.w3.org/ns/did/v1"};
  if (multikey) {
    context.emplace_back("https://w3id.org/security/multikey/v1");
  } else {
    context.emplace_back("https://w3id.org/security/suites/ed25519-2020/v1");
    context.emplace_back("https://w3id.org/security/suites/x25519-2020/v1");
  }
  doc["@context"] = std::move(context);
  doc["id"] = did;
  if (!options.also_known_as.empty()) {
    json::Array aka;
    for (const auto& a : options.also_known_as) aka.emplace_back(a);
    doc["alsoKnownAs"] = std::move(aka);
  }
  doc["verificationMethod"] = json::Array{json::Object{
      {"id", vm_id}, {"type", multikey ? "Multikey" : "Ed25519VerificationKey2020"}, {"controller", did}, {"publicKeyMultibase", ed_mk}}};
  for (std::string_view rel : kPurposeNames) doc[rel] = json::Array{json::Value(vm_id)};
  doc["keyAgreement"] = json::Array{json::Object{
      {"id", ka_id}, {"type", multikey ? "Multikey" : "X25519KeyAgreementKey2020"}, {"controller", did}, {"publicKeyMultibase", x_mk}}};
  if (options.platform) {
    std::string_view p = *options.platform;
    std::size_t slash = p.find('/');
    json::Object endpoint{{"platform", std::string(p.substr(0, slash))}};
    if (slash != std::string_view::npos) endpoint["account"] = std::string(p.substr(slash + 1));
    doc["service"] = json::Array{
        json::Object{{"id", std::string(did) + "#platform"}, {"type", "AgentPlatform"}, {"serviceEndpoint", std::move(endpoint)}}};
  }
  return doc;
}

Result<DidDocument> DidDocument::FromJson(const json::Value& value) {
  if (!value.is_object()) return InvalidArgumentError("DID document must be a JSON object");
  const json::Object& doc = value.get_object();
  DidDocument out;
  AIP_ASSIGN_OR_RETURN(std::string_view id, json::RequireString(doc, "id"));
  if (!id.starts_with("did:")) return InvalidArgumentError("DID document id is not a DID");
  out.id_ = std::string(id);

  auto add_method = [&](const json::Object& vm) -> Status {
    AIP_ASSIGN_OR_RETURN(std::string_view type, json::RequireString(vm, "type"));
    if (!IsEd25519Type(type)) return OkStatus();  // Other key types are not ours to use.
    if (const json::Value* jwk = vm.if_contains("publicKeyJwk");
        jwk != nullptr && jwk->is_object() && json::OptionalString(jwk->get_object(), "crv") != "Ed25519") {
      return OkStatus();  // A JWK of another curve (X25519 key agreement).
    }
    if (out.methods_.size() >= kMaxMethods) return InvalidArgumentError("DID document has too many keys");
    AIP_ASSIGN_OR_RETURN(VerificationMethod m, ParseMethod(out.id_, vm));
    out.methods_.push_back(std::move(m));
    return OkStatus();
  };
  if (const json::Value* vms = doc.if_contains("verificationMethod")) {
    if (!vms->is_array()) return InvalidArgumentError("verificationMethod must be an array");
    for (const json::Value& vm : vms->get_array()) {
      if (!vm.is_object()) return InvalidArgumentError("verification method must be an object");
      AIP_RETURN_IF_ERROR(add_method(vm.get_object()));
    }
  }
  for (int p = 0; p < 4; ++p) {
    const json::Value* rel = doc.if_contains(kPurposeNames[p]);
    if (rel == nullptr) continue;
    if (!rel->is_array()) return InvalidArgumentError(std::string(kPurposeNames[p]) + " must be an array");
    for (const json::Value& entry : rel->get_array()) {
      if (entry.is_string()) {
        out.relationships_[p].push_back(Absolute(out.id_, entry.get_string()));
      } else if (entry.is_object()) {  // Embedded method: usable only for this purpose.
        AIP_RETURN_IF_ERROR(add_method(entry.get_object()));
        if (auto eid = json::OptionalString(entry.get_object(), "id")) {
          out.relationships_[p].push_back(Absolute(out.id_, *eid));
        }
      } else {
        return InvalidArgumentError(std::string(kPurposeNames[p]) + " entries must be strings or objects");
      }
    }
  }
  return out;
}

Result<VerificationMethod> DidDocument::KeyFor(std::string_view vm_id, Purpose purpose) const {
  std::string abs = Absolute(id_, vm_id);
  const VerificationMethod* found = nullptr;
  for (const auto& m : methods_) {
    if (m.id == abs) found = &m;
  }
  if (found == nullptr) return NotFoundError("verification method not found in the DID document");
  if (found->controller != id_) return PermissionDeniedError("verification method is controlled by another DID");
  const auto& rel = relationships_[static_cast<int>(purpose)];
  if (std::find(rel.begin(), rel.end(), abs) == rel.end()) {
    return PermissionDeniedError("verification method is not authorized for " + std::string(PurposeName(purpose)));
  }
  return *found;
}

}  // namespace aip::identity
