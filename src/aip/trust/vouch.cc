#include "aip/trust/vouch.h"

#include <cmath>
#include <set>

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/glob.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"
#include "aip/identity/data_integrity.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_document.h"
#include "aip/identity/did_key.h"

namespace aip::trust {
namespace {

constexpr std::string_view kVcContext = "https://www.w3.org/ns/credentials/v2";
constexpr std::size_t kMaxStatement = 1000;
constexpr std::size_t kMaxScope = 200;

Error Bad(std::string why) { return InvalidArgumentError("vouch: " + std::move(why)); }

// Reader reads a vouch's members; its errors read "vouch: /credentialSubject/weight: …".
json::FieldReader Reader(const json::Object& o, std::string path = "") {
  static const auto describe = std::make_shared<const json::Describe>(
      [](std::string_view pointer) { return "vouch: " + std::string(pointer.empty() ? "the document" : pointer); });
  return json::FieldReader(o, std::move(path), describe);
}

// CheckEnvelope reads what vouches and revocations share: context, type, issuer and validFrom,
// and checks the proof was made by the issuer's own did:key.
Result<TimePoint> CheckEnvelope(const json::Object& doc, std::string_view type, std::string& issuer) {
  const json::Value* ctx = doc.if_contains("@context");
  if (ctx == nullptr || !ctx->is_array() || ctx->get_array().empty() || ctx->get_array()[0] != json::Value(kVcContext)) {
    return Bad("@context must start with " + std::string(kVcContext));
  }
  const json::Value* types = doc.if_contains("type");
  if (types == nullptr || !types->is_array() || types->get_array().size() != 2 ||
      types->get_array()[0] != json::Value("VerifiableCredential") || types->get_array()[1] != json::Value(type)) {
    return Bad("type must be [\"VerifiableCredential\", \"" + std::string(type) + "\"]");
  }
  json::FieldReader r = Reader(doc);
  AIP_RETURN_IF_ERROR(r.String("issuer", issuer, json::Need::kRequired, 1024));
  if (!issuer.starts_with("did:key:")) return r.Fail("issuer", "must be a did:key");
  std::string valid_from;
  AIP_RETURN_IF_ERROR(r.String("validFrom", valid_from, json::Need::kRequired, 64));
  auto from = ParseTime(valid_from);
  if (!from) return r.Fail("validFrom", from.error().message);
  identity::ProofExpectations expect;
  expect.purpose = identity::Purpose::kAssertionMethod;
  expect.check_time = false;  // A vouch's validity is judged by the trust engine at query time.
  identity::DidKeyResolver resolver;
  auto proof = identity::VerifyProof(doc, resolver, expect);
  if (!proof) return Error{proof.error().code, "vouch: " + proof.error().message};
  if (proof->method.controller != issuer)
    return UnauthenticatedError("vouch: signed by " + proof->method.controller + ", not by its issuer");
  return *from;
}

json::Object Envelope(std::string_view type, const std::string& issuer, TimePoint from) {
  return json::Object{{"@context", json::Array{kVcContext}},
                      {"type", json::Array{"VerifiableCredential", type}},
                      {"issuer", issuer},
                      {"validFrom", FormatTime(from)}};
}

Result<json::Object> Sign(const identity::Identity& issuer, json::Object unsecured, TimePoint now) {
  identity::ProofOptions po;
  po.verification_method = issuer.verification_method();
  po.purpose = identity::Purpose::kAssertionMethod;
  po.created = now;
  return identity::AddProof(std::move(unsecured), issuer, po);
}

}  // namespace

bool ValidScope(std::string_view scope) {
  // "mcp-server": vouching for a server that serves tools (docs/tool-integrity.md).
  static const std::set<std::string_view> kNamed = {"GENERAL", "CODE_SIGNING", "FINANCIAL", "INFORMATION", "IDENTITY", "mcp-server"};
  if (kNamed.contains(scope)) return true;
  if (scope.size() > kMaxScope) return false;
  for (char c : scope) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  for (std::string_view prefix : {"tools:", "resources:", "prompts:"}) {
    if (scope.starts_with(prefix) && scope.size() > prefix.size()) return true;
  }
  return false;
}

bool ScopeCovers(std::string_view vouch_scope, std::string_view query_scope) {
  return vouch_scope == query_scope || Glob(vouch_scope, query_scope);
}

std::string VouchDigest(const json::Object& document) {
  auto canonical = json::Canonicalize(document);
  return "sha256:" + HexEncode(crypto::Sha256(AsBytes(canonical ? *canonical : json::Serialize(document))));
}

Result<Vouch> CreateVouch(const identity::Identity& issuer, const VouchOptions& o) {
  json::Object doc = Envelope("AipVouch", issuer.did(), o.valid_from);
  if (o.valid_until) doc["validUntil"] = FormatTime(*o.valid_until);
  json::Object subject{{"id", o.subject}, {"scope", o.scope}, {"weight", o.weight}};
  if (!o.statement.empty()) subject["statement"] = o.statement;
  doc["credentialSubject"] = std::move(subject);
  AIP_ASSIGN_OR_RETURN(json::Object signed_doc, Sign(issuer, std::move(doc), o.valid_from));
  return VerifyVouch(signed_doc);  // The same checks a recipient applies (self-vouching, scope, weight).
}

Result<Vouch> VerifyVouch(const json::Object& doc) {
  json::FieldReader r = Reader(doc);
  AIP_RETURN_IF_ERROR(r.OnlyFields({"@context", "type", "issuer", "validFrom", "validUntil", "credentialSubject", "proof"}));
  Vouch v;
  AIP_ASSIGN_OR_RETURN(v.valid_from, CheckEnvelope(doc, "AipVouch", v.issuer));
  if (r.Has("validUntil")) {
    std::string text;
    AIP_RETURN_IF_ERROR(r.String("validUntil", text, json::Need::kRequired, 64));
    auto until = ParseTime(text);
    if (!until) return r.Fail("validUntil", until.error().message);
    if (*until <= v.valid_from) return r.Fail("validUntil", "must be after validFrom");
    v.valid_until = *until;
  }
  AIP_ASSIGN_OR_RETURN(std::optional<json::FieldReader> subject, r.Nested("credentialSubject", json::Need::kRequired));
  const json::FieldReader& s = *subject;
  AIP_RETURN_IF_ERROR(s.OnlyFields({"id", "scope", "weight", "statement"}));
  AIP_RETURN_IF_ERROR(s.String("id", v.subject, json::Need::kRequired, 1024));
  if (!identity::IsWellFormedDid(v.subject)) return s.Fail("id", "must be a DID");
  auto issuer_key = identity::PublicKeyFromDidKey(v.issuer);
  if (v.subject == v.issuer || (issuer_key && identity::DidMatchesKey(v.subject, *issuer_key))) {
    return Bad("an agent cannot vouch for itself");
  }
  AIP_RETURN_IF_ERROR(s.String("scope", v.scope, json::Need::kRequired, kMaxScope));
  if (!ValidScope(v.scope)) return s.Fail("scope", "unknown scope \"" + v.scope + "\"");
  AIP_RETURN_IF_ERROR(s.Number("weight", v.weight, 0, 1, json::Need::kRequired));
  if (v.weight <= 0) return s.Fail("weight", "must be in (0, 1]");
  AIP_RETURN_IF_ERROR(s.String("statement", v.statement, json::Need::kOptional, kMaxStatement));
  v.document = doc;
  v.id = VouchDigest(doc);
  return v;
}

Result<Revocation> CreateRevocation(const identity::Identity& issuer, const Vouch& vouch, TimePoint now) {
  if (vouch.issuer != issuer.did()) return PermissionDeniedError("only the issuer of a vouch can revoke it");
  json::Object doc = Envelope("AipVouchRevocation", issuer.did(), now);
  doc["credentialSubject"] = json::Object{{"revokes", vouch.id}};
  AIP_ASSIGN_OR_RETURN(json::Object signed_doc, Sign(issuer, std::move(doc), now));
  return VerifyRevocation(signed_doc);
}

Result<Revocation> VerifyRevocation(const json::Object& doc) {
  json::FieldReader r = Reader(doc);
  AIP_RETURN_IF_ERROR(r.OnlyFields({"@context", "type", "issuer", "validFrom", "credentialSubject", "proof"}));
  Revocation out;
  AIP_ASSIGN_OR_RETURN(out.revoked_at, CheckEnvelope(doc, "AipVouchRevocation", out.issuer));
  AIP_ASSIGN_OR_RETURN(std::optional<json::FieldReader> subject, r.Nested("credentialSubject", json::Need::kRequired));
  AIP_RETURN_IF_ERROR(subject->OnlyFields({"revokes"}));
  AIP_RETURN_IF_ERROR(subject->String("revokes", out.vouch_id, json::Need::kRequired, 128));
  if (!out.vouch_id.starts_with("sha256:") || out.vouch_id.size() != 7 + 64) {
    return subject->Fail("revokes", "must be a vouch digest (sha256:<hex>)");
  }
  out.document = doc;
  return out;
}

}  // namespace aip::trust
