#include "aip/identity/key_rotation.h"

#include "aip/base/field_reader.h"

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/identity/did_key.h"
#include "aip/identity/signing_domain.h"

namespace aip::identity {
namespace {

constexpr std::string_view kType = "aip-key-rotation";

Result<Bytes> SignedBytes(const KeyRotation& r) {
  json::Object statement{{"type", kType}, {"previous", r.previous_did}, {"next", r.next_did}, {"created", FormatTime(r.created)}};
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(json::Value(std::move(statement))));
  return DomainSeparated(SigningDomain::kKeyRotation, AsBytes(canonical));
}

}  // namespace

Result<KeyRotation> KeyRotation::Create(const crypto::Ed25519PrivateKey& previous, const crypto::Ed25519PrivateKey& next, TimePoint now) {
  KeyRotation r;
  r.previous_did = DidKeyFromPublicKey(previous.public_key());
  r.next_did = DidKeyFromPublicKey(next.public_key());
  if (r.previous_did == r.next_did) return InvalidArgumentError("rotation to the same key");
  r.created = std::chrono::floor<std::chrono::seconds>(now);
  AIP_ASSIGN_OR_RETURN(Bytes msg, SignedBytes(r));
  auto s1 = previous.Sign(msg);
  auto s2 = next.Sign(msg);
  r.previous_signature.assign(s1.begin(), s1.end());
  r.next_signature.assign(s2.begin(), s2.end());
  return r;
}

json::Object KeyRotation::ToJson() const {
  return json::Object{{"type", kType},
                      {"previous", previous_did},
                      {"next", next_did},
                      {"created", FormatTime(created)},
                      {"previous_signature", Base64UrlEncode(previous_signature)},
                      {"next_signature", Base64UrlEncode(next_signature)}};
}

Result<KeyRotation> KeyRotation::FromJson(const json::Value& value) {
  if (!value.is_object()) return InvalidArgumentError("rotation record must be an object");
  json::FieldReader o(value.get_object());
  std::string type, prev, next, created, ps, ns;
  AIP_RETURN_IF_ERROR(o.String("type", type, json::Need::kRequired, 64));
  if (type != kType) return o.Fail("type", "is not a key rotation record");
  KeyRotation r;
  for (auto [key, out] : {std::pair{"previous", &prev}, std::pair{"next", &next}}) {
    AIP_RETURN_IF_ERROR(o.String(key, *out, json::Need::kRequired, 128));  // did:key DIDs are 56 bytes.
  }
  AIP_RETURN_IF_ERROR(o.String("created", created, json::Need::kRequired, 64));
  for (auto [key, out] : {std::pair{"previous_signature", &ps}, std::pair{"next_signature", &ns}}) {
    AIP_RETURN_IF_ERROR(o.String(key, *out, json::Need::kRequired, 128));  // 64 bytes, base64url: 86.
  }
  r.previous_did = std::move(prev);
  r.next_did = std::move(next);
  AIP_ASSIGN_OR_RETURN(r.created, ParseTime(created));
  AIP_ASSIGN_OR_RETURN(r.previous_signature, Base64UrlDecode(ps));
  AIP_ASSIGN_OR_RETURN(r.next_signature, Base64UrlDecode(ns));
  return r;
}

Status KeyRotation::Verify() const {
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey prev, PublicKeyFromDidKey(previous_did));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey next, PublicKeyFromDidKey(next_did));
  AIP_ASSIGN_OR_RETURN(Bytes msg, SignedBytes(*this));
  AIP_RETURN_IF_ERROR(Prefix("rotation: previous key", crypto::Verify(prev, msg, previous_signature)));
  AIP_RETURN_IF_ERROR(Prefix("rotation: new key", crypto::Verify(next, msg, next_signature)));
  return OkStatus();
}

Status VerifyRotationChain(const std::vector<KeyRotation>& rotations, std::string_view first_did, std::string_view last_did) {
  std::string current(first_did);
  for (const KeyRotation& r : rotations) {
    if (r.previous_did != current) return UnauthenticatedError("rotation chain is broken at " + r.previous_did);
    AIP_RETURN_IF_ERROR(r.Verify());
    current = r.next_did;
  }
  if (current != last_did) return UnauthenticatedError("rotation chain does not end at the current key");
  return OkStatus();
}

}  // namespace aip::identity
