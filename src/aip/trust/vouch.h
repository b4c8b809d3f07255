// Vouches and their revocations: W3C Verifiable Credentials 2.0 secured with an eddsa-jcs-2022
// Data Integrity proof by the issuer's did:key.
//
//   {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "AipVouch"],
//    "issuer": "did:key:z6Mk…", "validFrom": "2026-11-22T10:00:00Z", "validUntil": "2027-11-22T10:00:00Z",
//    "credentialSubject": {"id": "did:key:z6Mk…", "scope": "tools:tasks.*", "weight": 0.8, "statement": "…"},
//    "proof": {…}}
//
// A vouch is named by its digest, "sha256:" + hex SHA-256 of the JCS form of the whole signed
// credential; a revocation ("AipVouchRevocation", credentialSubject {"revokes": digest}) is
// signed by the same issuer. The VC 2.0 context's @vocab covers the AIP terms, and JCS (not
// JSON-LD) is what is signed, so no other context is needed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip::trust {

struct Vouch {
  std::string id;  // "sha256:<hex>", the digest.
  std::string issuer;
  std::string subject;
  std::string scope;
  double weight = 1.0;
  std::string statement;
  TimePoint valid_from;
  std::optional<TimePoint> valid_until;
  json::Object document;  // The signed credential.
};

struct Revocation {
  std::string vouch_id;
  std::string issuer;
  TimePoint revoked_at;
  json::Object document;
};

// The scopes of the Python AIP project, "mcp-server" (a server trusted to serve tools), and MCP
// scopes "tools:<glob>", "resources:<glob>", "prompts:<glob>". ValidScope says whether `scope`
// is one of them.
bool ValidScope(std::string_view scope);

// ScopeCovers: a vouch in `vouch_scope` counts for a query in `query_scope` — the same scope, or
// a glob ('*' any run, '?' one character) that matches the query's text.
bool ScopeCovers(std::string_view vouch_scope, std::string_view query_scope);

struct VouchOptions {
  std::string subject;
  std::string scope = "GENERAL";
  double weight = 1.0;
  std::string statement;
  TimePoint valid_from;
  std::optional<TimePoint> valid_until;
};

// CreateVouch signs a vouch by `issuer` (no self-vouching).
Result<Vouch> CreateVouch(const identity::Identity& issuer, const VouchOptions& options);
// CreateRevocation signs the revocation of `vouch`, which `issuer` must have issued.
Result<Revocation> CreateRevocation(const identity::Identity& issuer, const Vouch& vouch, TimePoint now);

// VerifyVouch checks a vouch document: its shape (no unknown members), issuer a did:key whose key
// made the proof, subject another DID, a known scope, weight in (0, 1], validUntil after
// validFrom. It does not judge time: the trust engine does, at query time.
Result<Vouch> VerifyVouch(const json::Object& document);
Result<Revocation> VerifyRevocation(const json::Object& document);

// VouchDigest is the id of a signed vouch document.
std::string VouchDigest(const json::Object& document);

}  // namespace aip::trust
