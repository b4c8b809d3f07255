// Signed definitions (docs/protocol.md, "Signed definitions"): a server signs each tool, prompt
// and resource-template definition it lists, and each listed page as a whole, with its DID — so
// a client or gateway can tell who vouches for the text its model reads, and that no definition
// was changed, added or taken out on the way.
//
// - A definition's proof (eddsa-jcs-2022, proofPurpose assertionMethod) sits in its own
//   _meta["dev.aip/definitionProof"]; the secured document is the definition as sent without that
//   member (and without _meta if nothing else is left in it).
// - A page's proof sits in the result's _meta["dev.aip/listProof"]; it signs the document
//   {"type": "aip-definition-list", "kind": KIND, "items": [pin hash of each item, in order]},
//   KIND being "tools", "prompts" or "resourceTemplates" and each hash pins::DefinitionHash of the
//   item as sent (its definition proof left out).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"
#include "aip/mcp/server.h"

namespace aip::mcpsig {

inline constexpr std::string_view kListProofKey = "dev.aip/listProof";
inline constexpr std::string_view kListProofType = "aip-definition-list";

// ProofDefinitionSigner signs listings with the server's identity. Definitions rarely change
// while they are listed often, so each proof is made once — per definition (by its pin hash) and
// per page (by its canonical list document) — and served again from memory (thread-safe; at most
// 4,096 proofs kept, then it starts afresh).
class ProofDefinitionSigner final : public mcp::DefinitionSigner {
 public:
  explicit ProofDefinitionSigner(std::shared_ptr<const identity::Identity> signer, const Clock* clock = &DefaultClock())
      : signer_(std::move(signer)), clock_(clock) {}
  Status Sign(std::string_view kind, json::Array& items, json::Object& result_meta) override;

 private:
  // ProofFor returns the remembered proof of `unsecured` (keyed by `key`), else makes one.
  Result<json::Object> ProofFor(const std::string& key, const json::Object& unsecured, TimePoint now);

  std::shared_ptr<const identity::Identity> signer_;
  const Clock* clock_;
  std::mutex mu_;
  std::map<std::string, json::Object> proofs_;
  // The last page signed, by its text as listed: a page listed again unchanged (the usual case)
  // is answered without hashing its items again.
  std::string last_page_;
  std::shared_ptr<const std::pair<json::Array, json::Object>> last_signed_;  // Items, list proof.
};

// ListProofDocument is what a page's proof signs (above).
Result<json::Object> ListProofDocument(std::string_view kind, const json::Array& items);

// VerifyDefinitionProof checks the proof a definition carries and returns the DID (did:key) that
// signed it; kUnauthenticated when it has none or it does not verify.
Result<std::string> VerifyDefinitionProof(const json::Object& definition);
// CachedDefinitionVerifier is VerifyDefinitionProof with a memory: a definition whose proof
// verified before — the same pin hash and the same proof — is not verified again, so a listing
// fetched again unchanged costs hashing, not signature checks. Thread-safe; at most `capacity`
// entries (then it starts afresh). Failures are not remembered.
class CachedDefinitionVerifier {
 public:
  explicit CachedDefinitionVerifier(std::size_t capacity = 10000) : capacity_(capacity) {}
  Result<std::string> Verify(const json::Object& definition);

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::map<std::string, std::string> verified_;  // Pin hash + JCS(proof) → signer.
};

// VerifyListProof checks a listing page's proof over the items it holds, in order, and returns
// the signer's DID; kUnauthenticated when the result has none, or an item was changed, added,
// removed or moved.
Result<std::string> VerifyListProof(std::string_view kind, const json::Array& items, const json::Object& result);

}  // namespace aip::mcpsig
