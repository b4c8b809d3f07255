#include "aip/trust/legacy_vouch.h"

#include <algorithm>

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::trust {
namespace {

constexpr std::chrono::hours kUnsignedLifetime{24 * 365};

Error Bad(std::string why) { return InvalidArgumentError("legacy vouch: " + std::move(why)); }

std::string Str(const json::Object& o, std::string_view key) {
  const json::Value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<crypto::Ed25519PublicKey> KeyOf(const json::Object& o, std::string_view field) {
  auto raw = Base64Decode(Str(o, field));
  if (!raw) return Bad(std::string(field) + ": not base64");
  auto key = crypto::Ed25519PublicKey::FromBytes(*raw);
  if (!key) return Bad(std::string(field) + ": not an Ed25519 key");
  return *key;
}

// PythonTime reads the isoformat() times of the Python project ("2026-03-01T12:00:00+00:00").
Result<TimePoint> PythonTime(const std::string& text) { return ParseTime(text); }

}  // namespace

Result<Vouch> ImportLegacyVouch(const json::Object& o, TimePoint now) {
  bool local = o.contains("voucher_pubkey");
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey voucher_key, KeyOf(o, local ? "voucher_pubkey" : "voucher_public_key"));
  std::string voucher = Str(o, "voucher_did"), target = Str(o, "target_did"), scope = Str(o, "scope");
  const json::Value* statement_v = o.if_contains("statement");
  std::string statement = statement_v != nullptr && statement_v->is_string() ? std::string(statement_v->get_string()) : "";
  if (!identity::DidMatchesKey(voucher, voucher_key))
    return UnauthenticatedError("legacy vouch: the key is not the voucher's (" + voucher + ")");
  static const char* kScopes[] = {"GENERAL", "CODE_SIGNING", "FINANCIAL", "INFORMATION", "IDENTITY"};
  if (std::none_of(std::begin(kScopes), std::end(kScopes), [&](const char* s) { return scope == s; })) return Bad("unknown scope " + scope);
  auto signature = Base64Decode(Str(o, "signature"));
  if (!signature) return Bad("signature: not base64");

  Vouch v;
  v.issuer = identity::DidKeyFromPublicKey(voucher_key);
  v.scope = scope;
  v.statement = statement;
  std::string payload;
  if (local) {
    // trust.Vouch.to_signable: compact JSON with sorted keys of these fields.
    json::Object signable{{"created_at", Str(o, "created_at")},
                          {"level", o.contains("level") ? o.at("level") : json::Value(4)},
                          {"scope", scope},
                          {"statement", statement_v != nullptr ? *statement_v : json::Value(nullptr)},
                          {"target_did", target},
                          {"target_pubkey", Str(o, "target_pubkey")},
                          {"voucher_did", voucher}};
    signable["expires_at"] = o.contains("expires_at") ? o.at("expires_at") : json::Value(nullptr);
    AIP_ASSIGN_OR_RETURN(payload, json::Canonicalize(signable));
    AIP_ASSIGN_OR_RETURN(v.valid_from, PythonTime(Str(o, "created_at")));
    if (const json::Value* e = o.if_contains("expires_at"); e != nullptr && e->is_string()) {
      AIP_ASSIGN_OR_RETURN(v.valid_until, PythonTime(std::string(e->get_string())));
    }
    const json::Value* level = o.if_contains("level");
    if (level == nullptr || !level->is_int64() || level->get_int64() < 1 || level->get_int64() > 5) return Bad("level must be 1..5");
    v.weight = static_cast<double>(level->get_int64()) / 5.0;
    // The target's key is signed: record the target by its did:key when it matches.
    auto target_key = KeyOf(o, "target_pubkey");
    if (target_key && identity::DidMatchesKey(target, *target_key)) target = identity::DidKeyFromPublicKey(*target_key);
  } else {
    payload = voucher + "|" + target + "|" + scope + "|" + statement;
    v.weight = 1.0;
    v.valid_from = now;  // Nothing about time is signed.
    v.valid_until = now + kUnsignedLifetime;
    if (std::string e = Str(o, "expires_at"); !e.empty()) {
      auto t = PythonTime(e);
      if (t && *t < *v.valid_until) v.valid_until = *t;
    }
  }
  if (Status s = crypto::Verify(voucher_key, AsBytes(payload), *signature); !s.ok()) {
    return UnauthenticatedError("legacy vouch: the signature does not verify");
  }
  if (!target.starts_with("did:")) return Bad("target_did must be a DID");
  if (target == v.issuer || target == voucher) return Bad("an agent cannot vouch for itself");
  v.subject = target;
  v.document = o;
  v.document["format"] = local ? "aip-python-local" : "aip-python-service";
  v.id = VouchDigest(o);
  return v;
}

}  // namespace aip::trust
