#include "aip/identity/did_document.h"

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
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

// Every member is read with one reader whose errors name it by pointer
// ("/verificationMethod/0/publicKeyMultibase: must be a string") and bound its size: a did:web
// document comes from any host that answers.
constexpr std::size_t kMaxIdBytes = 2048;
constexpr std::size_t kMaxKeyTextBytes = 256;

Result<VerificationMethod> ParseMethod(std::string_view did, const json::FieldReader& vm) {
  std::string id, type, controller(did), text;
  AIP_RETURN_IF_ERROR(vm.String("id", id, json::Need::kRequired, kMaxIdBytes));
  AIP_RETURN_IF_ERROR(vm.String("type", type, json::Need::kRequired, 128));
  AIP_RETURN_IF_ERROR(vm.String("controller", controller, json::Need::kOptional, kMaxIdBytes));
  std::optional<crypto::Ed25519PublicKey> key;
  if (vm.Has("publicKeyMultibase")) {
    AIP_RETURN_IF_ERROR(vm.String("publicKeyMultibase", text, json::Need::kRequired, kMaxKeyTextBytes));
    AIP_ASSIGN_OR_RETURN(key, ParseEd25519Multikey(text));
  } else if (vm.Has("publicKeyBase58")) {
    AIP_RETURN_IF_ERROR(vm.String("publicKeyBase58", text, json::Need::kRequired, kMaxKeyTextBytes));
    AIP_ASSIGN_OR_RETURN(Bytes raw, Base58Decode(text));
    AIP_ASSIGN_OR_RETURN(key, crypto::Ed25519PublicKey::FromBytes(raw));
  } else if (vm.Has("publicKeyJwk")) {
    AIP_ASSIGN_OR_RETURN(auto jwk, vm.Nested("publicKeyJwk", json::Need::kRequired));
    std::string kty, crv;
    AIP_RETURN_IF_ERROR(jwk->String("kty", kty, json::Need::kRequired, 16));
    AIP_RETURN_IF_ERROR(jwk->String("crv", crv, json::Need::kRequired, 16));
    if (kty != "OKP" || crv != "Ed25519") return jwk->FailHere("is not an Ed25519 OKP key");
    AIP_RETURN_IF_ERROR(jwk->String("x", text, json::Need::kRequired, kMaxKeyTextBytes));
    AIP_ASSIGN_OR_RETURN(Bytes raw, Base64UrlDecode(text));
    AIP_ASSIGN_OR_RETURN(key, crypto::Ed25519PublicKey::FromBytes(raw));
  } else {
    return vm.FailHere("has no public key");
  }
  return VerificationMethod{Absolute(did, id), std::move(type), std::move(controller), *key};
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
  json::FieldReader r(doc);
  DidDocument out;
  AIP_RETURN_IF_ERROR(r.String("id", out.id_, json::Need::kRequired, 512));
  if (!out.id_.starts_with("did:")) return r.Fail("id", "is not a DID");

  auto add_method = [&](const json::FieldReader& vm) -> Status {
    std::string type, crv;
    AIP_RETURN_IF_ERROR(vm.String("type", type, json::Need::kRequired, 128));
    if (!IsEd25519Type(type)) return OkStatus();  // Other key types are not ours to use.
    if (const json::Value* jwk = vm.object().if_contains("publicKeyJwk"); jwk != nullptr && jwk->is_object()) {
      auto c = json::FieldReader(jwk->get_object()).String("crv", crv, json::Need::kOptional, 16);
      if (c.ok() && crv != "Ed25519") return OkStatus();  // A JWK of another curve (X25519 key agreement).
    }
    if (out.methods_.size() >= kMaxMethods) return vm.FailHere("is one key too many (at most 64)");
    AIP_ASSIGN_OR_RETURN(VerificationMethod m, ParseMethod(out.id_, vm));
    out.methods_.push_back(std::move(m));
    return OkStatus();
  };
  AIP_ASSIGN_OR_RETURN(auto methods, r.Items("verificationMethod", json::Need::kOptional, kMaxMethods));
  for (const auto& vm : methods) AIP_RETURN_IF_ERROR(add_method(vm));
  for (int p = 0; p < 4; ++p) {
    const json::Value* rel = doc.if_contains(kPurposeNames[p]);
    if (rel == nullptr) continue;
    if (!rel->is_array()) return r.Fail(kPurposeNames[p], "must be an array");
    const json::Array& entries = rel->get_array();
    if (entries.size() > kMaxMethods) return r.Fail(kPurposeNames[p], "has more than 64 entries");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      std::string where = r.PathOf(kPurposeNames[p]) + "/" + std::to_string(i);
      if (entries[i].is_string()) {
        if (entries[i].get_string().size() > kMaxIdBytes) return json::FieldReader(doc, where).FailHere("is too long");
        out.relationships_[p].push_back(Absolute(out.id_, entries[i].get_string()));
      } else if (entries[i].is_object()) {  // Embedded method: usable only for this purpose.
        json::FieldReader embedded(entries[i].get_object(), where);
        AIP_RETURN_IF_ERROR(add_method(embedded));
        std::string eid;
        AIP_RETURN_IF_ERROR(embedded.String("id", eid, json::Need::kOptional, kMaxIdBytes));
        if (!eid.empty()) out.relationships_[p].push_back(Absolute(out.id_, eid));
      } else {
        return json::FieldReader(doc, where).FailHere("must be a string or an object");
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
