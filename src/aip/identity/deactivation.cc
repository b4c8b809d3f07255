#include "aip/identity/deactivation.h"

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/jcs.h"
#include "aip/identity/did_key.h"
#include "aip/identity/identity.h"
#include "aip/identity/signing_domain.h"

namespace aip::identity {
namespace {

constexpr std::string_view kType = "aip-deactivation";

Result<Bytes> Statement(const Deactivation& d) {
  json::Object statement{{"type", kType}, {"did", d.did}, {"created", FormatTime(d.created)}};
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(json::Value(std::move(statement))));
  return Bytes(canonical.begin(), canonical.end());
}

}  // namespace

Deactivation Deactivation::Create(const Identity& identity, TimePoint now) {
  Deactivation d;
  d.did = identity.did();
  d.created = std::chrono::floor<std::chrono::seconds>(now);
  // The statement is three strings: canonicalizing it cannot fail.
  Bytes statement = Statement(d).value();
  auto signature = identity.Sign(SigningDomain::kDeactivation, statement);
  d.signature.assign(signature.begin(), signature.end());
  return d;
}

json::Object Deactivation::ToJson() const {
  return json::Object{{"type", kType}, {"did", did}, {"created", FormatTime(created)}, {"signature", Base64UrlEncode(signature)}};
}

Result<Deactivation> Deactivation::FromJson(const json::Value& value) {
  if (!value.is_object()) return InvalidArgumentError("deactivation record must be an object");
  json::FieldReader r(value.get_object(), "deactivation");
  AIP_RETURN_IF_ERROR(r.OnlyFields({"type", "did", "created", "signature"}));
  std::string type, created, signature;
  Deactivation d;
  AIP_RETURN_IF_ERROR(r.String("type", type, json::Need::kRequired));
  if (type != kType) return InvalidArgumentError("not a deactivation record");
  AIP_RETURN_IF_ERROR(r.String("did", d.did, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("created", created, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("signature", signature, json::Need::kRequired));
  AIP_ASSIGN_OR_RETURN(d.created, ParseTime(created));
  AIP_ASSIGN_OR_RETURN(d.signature, Base64UrlDecode(signature));
  return d;
}

Status Deactivation::Verify() const {
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(did));
  AIP_ASSIGN_OR_RETURN(Bytes statement, Statement(*this));
  return Prefix("deactivation", crypto::Verify(key, DomainSeparated(SigningDomain::kDeactivation, statement), signature));
}

}  // namespace aip::identity
