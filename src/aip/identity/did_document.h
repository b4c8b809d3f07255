// DID documents: building the document of an Ed25519 identity, and reading untrusted documents
// (from a resolver, a registry or did:web) down to the keys they authorize for each purpose.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/crypto/ed25519.h"

namespace aip::identity {

enum class KeyFormat {
  kMultikey,                   // type "Multikey" (Controlled Identifiers v1.0; did:key default).
  kEd25519VerificationKey2020  // type "Ed25519VerificationKey2020" / "X25519KeyAgreementKey2020".
};

struct DidDocumentOptions {
  KeyFormat format = KeyFormat::kMultikey;
  // Where the agent lives, "github/myrepo" style; becomes an AgentPlatform service entry.
  std::optional<std::string> platform;
  // Other identifiers of the same key (did:aip alias).
  std::vector<std::string> also_known_as;
};

// BuildDidDocument returns the DID document of `did`, controlled by `key`, with the key for
// authentication, assertion and capabilities and its X25519 twin for keyAgreement.
Result<json::Object> BuildDidDocument(std::string_view did, const crypto::Ed25519PublicKey& key, const DidDocumentOptions& options = {});

// IsWellFormedDid checks DID Core §3.1 syntax: "did:" method-name ":" method-specific-id, with
// the method name in [a-z0-9] and the id in ALPHA / DIGIT / "." / "-" / "_" / ":" / pct-encoded,
// not ending in ':' — a DID, not a DID URL (no path, query or fragment); at most 512 bytes.
bool IsWellFormedDid(std::string_view did);

enum class Purpose { kAuthentication, kAssertionMethod, kCapabilityInvocation, kCapabilityDelegation };
std::string_view PurposeName(Purpose p);
Result<Purpose> ParsePurpose(std::string_view name);

struct VerificationMethod {
  std::string id;  // Absolute DID URL.
  std::string type;
  std::string controller;
  crypto::Ed25519PublicKey key;
};

// DidDocument is a validated view of a document's Ed25519 verification methods.
class DidDocument {
 public:
  // FromJson reads `doc`; verification methods of other key types are skipped, malformed ones fail.
  static Result<DidDocument> FromJson(const json::Value& doc);

  const std::string& id() const { return id_; }
  const std::vector<VerificationMethod>& methods() const { return methods_; }

  // KeyFor returns the method `vm_id` if it is listed under `purpose` and controlled by this DID;
  // otherwise kPermissionDenied or kNotFound with the reason.
  Result<VerificationMethod> KeyFor(std::string_view vm_id, Purpose purpose) const;

 private:
  std::string id_;
  std::vector<VerificationMethod> methods_;
  std::vector<std::string> relationships_[4];  // Absolute ids, indexed by Purpose.
};

}  // namespace aip::identity
