#include "aip/trust/legacy_vouch.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/base/field_reader.h"
#include "aip/base/jcs.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::trust {
namespace {

constexpr std::chrono::hours kUnsignedLifetime{24 * 365};

Error Bad(std::string why) { return InvalidArgumentError("legacy vouch: " + std::move(why)); }

// Reader reads the Python project's vouch; its errors read "legacy vouch: /scope: …".
json::FieldReader Reader(const json::Object& o) {
  static const auto describe =
      std::make_shared<const json::Describe>([](std::string_view pointer) { return "legacy vouch: " + std::string(pointer); });
  return json::FieldReader(o, "", describe);
}

// OptionalString reads a member the Python project writes as a string or null (None).
Result<std::optional<std::string>> OptionalString(const json::FieldReader& r, std::string_view key) {
  const json::Value* v = r.object().if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  std::string out;
  AIP_RETURN_IF_ERROR(r.String(key, out, json::Need::kRequired, 4096));
  return std::optional<std::string>(std::move(out));
}

Result<crypto::Ed25519PublicKey> KeyOf(const json::FieldReader& r, std::string_view field) {
  std::string text;
  AIP_RETURN_IF_ERROR(r.String(field, text, json::Need::kRequired, 128));
  auto raw = Base64Decode(text);
  if (!raw) return r.Fail(field, "not base64");
  auto key = crypto::Ed25519PublicKey::FromBytes(*raw);
  if (!key) return r.Fail(field, "not an Ed25519 key");
  return *key;
}

// PythonTime reads the isoformat() times of the Python project ("2026-03-01T12:00:00+00:00").
Result<TimePoint> PythonTime(const std::string& text) { return ParseTime(text); }

}  // namespace

Result<Vouch> ImportLegacyVouch(const json::Object& o, TimePoint now) {
  json::FieldReader r = Reader(o);
  bool local = r.Has("voucher_pubkey");
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey voucher_key, KeyOf(r, local ? "voucher_pubkey" : "voucher_public_key"));
  std::string voucher, target, scope, signature_text;
  AIP_RETURN_IF_ERROR(r.String("voucher_did", voucher, json::Need::kRequired, 1024));
  AIP_RETURN_IF_ERROR(r.String("target_did", target, json::Need::kRequired, 1024));
  AIP_RETURN_IF_ERROR(r.String("scope", scope, json::Need::kRequired, 64));
  AIP_ASSIGN_OR_RETURN(std::optional<std::string> statement_text, OptionalString(r, "statement"));
  AIP_ASSIGN_OR_RETURN(std::optional<std::string> expires_text, OptionalString(r, "expires_at"));
  std::string statement = statement_text.value_or("");
  if (!identity::DidMatchesKey(voucher, voucher_key)) {
    return UnauthenticatedError("legacy vouch: the key is not the voucher's (" + voucher + ")");
  }
  static const char* kScopes[] = {"GENERAL", "CODE_SIGNING", "FINANCIAL", "INFORMATION", "IDENTITY"};
  if (std::none_of(std::begin(kScopes), std::end(kScopes), [&](const char* s) { return scope == s; })) {
    return r.Fail("scope", "unknown scope " + scope);
  }
  AIP_RETURN_IF_ERROR(r.String("signature", signature_text, json::Need::kRequired, 256));
  auto signature = Base64Decode(signature_text);
  if (!signature) return r.Fail("signature", "not base64");

  Vouch v;
  v.issuer = identity::DidKeyFromPublicKey(voucher_key);
  v.scope = scope;
  v.statement = statement;
  std::string payload;
  if (local) {
    std::string created_at, target_pubkey;
    AIP_RETURN_IF_ERROR(r.String("created_at", created_at, json::Need::kRequired, 64));
    AIP_RETURN_IF_ERROR(r.String("target_pubkey", target_pubkey, json::Need::kRequired, 128));
    std::int64_t level = 4;
    AIP_RETURN_IF_ERROR(r.Int("level", level, 1, 5, json::Need::kRequired));
    // trust.Vouch.to_signable: compact JSON with sorted keys of these fields.
    json::Object signable{{"created_at", created_at}, {"level", level},
                          {"scope", scope},           {"statement", statement_text ? json::Value(*statement_text) : json::Value(nullptr)},
                          {"target_did", target},     {"target_pubkey", target_pubkey},
                          {"voucher_did", voucher}};
    signable["expires_at"] = expires_text ? json::Value(*expires_text) : json::Value(nullptr);
    AIP_ASSIGN_OR_RETURN(payload, json::Canonicalize(signable));
    AIP_ASSIGN_OR_RETURN(v.valid_from, PythonTime(created_at));
    if (expires_text) {
      AIP_ASSIGN_OR_RETURN(v.valid_until, PythonTime(*expires_text));
    }
    v.weight = static_cast<double>(level) / 5.0;
    // The target's key is signed: record the target by its did:key when it matches.
    auto target_key = KeyOf(r, "target_pubkey");
    if (target_key && identity::DidMatchesKey(target, *target_key)) target = identity::DidKeyFromPublicKey(*target_key);
  } else {
    payload = voucher + "|" + target + "|" + scope + "|" + statement;
    v.weight = 1.0;
    v.valid_from = now;  // Nothing about time is signed.
    v.valid_until = now + kUnsignedLifetime;
    if (expires_text && !expires_text->empty()) {
      auto t = PythonTime(*expires_text);
      if (t && *t < *v.valid_until) v.valid_until = *t;
    }
  }
  if (Status s = crypto::Verify(voucher_key, AsBytes(payload), *signature); !s.ok()) {
    return UnauthenticatedError("legacy vouch: the signature does not verify");
  }
  if (!target.starts_with("did:")) return r.Fail("target_did", "must be a DID");
  if (target == v.issuer || target == voucher) return Bad("an agent cannot vouch for itself");
  v.subject = target;
  v.document = o;
  v.document["format"] = local ? "aip-python-local" : "aip-python-service";
  v.id = VouchDigest(o);
  return v;
}

}  // namespace aip::trust
