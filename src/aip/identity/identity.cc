#include "aip/identity/identity.h"

#include "aip/crypto/sha.h"
#include "aip/crypto/x25519.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::identity {

Identity Identity::Generate(std::string name, std::string platform, TimePoint now) {
  return Identity(crypto::Ed25519PrivateKey::Generate(), std::move(name), std::move(platform),
                  std::chrono::floor<std::chrono::seconds>(now));
}

std::string Identity::did() const { return DidKeyFromPublicKey(public_key()); }
std::string Identity::did_aip() const { return DidAipFromPublicKey(public_key()); }
std::string Identity::verification_method() const { return DidKeyVerificationMethod(public_key()); }

crypto::Ed25519Signature Identity::Sign(SigningDomain domain, ByteSpan payload) const {
  return key_.Sign(DomainSeparated(domain, payload));
}

Result<crypto::Ed25519Signature> Identity::SignStandard(StandardInput kind, ByteSpan input) const {
  AIP_RETURN_IF_ERROR(CheckStandardInput(kind, input));
  return key_.Sign(input);
}

crypto::SecretBytes Identity::DeriveSecret(std::string_view purpose) const {
  crypto::Sha256Digest k = crypto::HmacSha256(key_.seed().RevealSecret(), AsBytes(purpose));
  crypto::SecretBytes out(ByteSpan(k.data(), k.size()));
  crypto::SecureWipe(std::span<std::uint8_t>(k.data(), k.size()));
  return out;
}

Result<Bytes> Identity::OpenSealed(ByteSpan sealed) const {
  AIP_ASSIGN_OR_RETURN(auto x_public, crypto::X25519PublicFromEd25519(public_key()));
  return crypto::OpenSealed(x_public, crypto::X25519PrivateFromEd25519(key_), sealed);
}

Status Identity::Rotate(crypto::Ed25519PrivateKey next, TimePoint now) {
  AIP_ASSIGN_OR_RETURN(KeyRotation r, KeyRotation::Create(key_, next, now));
  rotations_.push_back(std::move(r));
  key_ = std::move(next);
  return OkStatus();
}

Result<json::Object> Identity::Document(KeyFormat format) const {
  DidDocumentOptions options;
  options.format = format;
  if (!platform_.empty()) options.platform = platform_;
  options.also_known_as.push_back(did_aip());
  return BuildDidDocument(did(), public_key(), options);
}

json::Object Identity::PublicJson() const {
  json::Array rotations;
  for (const auto& r : rotations_) rotations.emplace_back(r.ToJson());
  json::Object o{{"did", did()},
                 {"did_aip", did_aip()},
                 {"public_key", Ed25519Multikey(public_key())},
                 {"name", name_},
                 {"created", FormatTime(created_)},
                 {"rotations", std::move(rotations)}};
  if (!platform_.empty()) o["platform"] = platform_;
  return o;
}

}  // namespace aip::identity
