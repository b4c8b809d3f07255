#include "aip/identity/file_signature.h"

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/crypto/sha.h"
#include "aip/identity/did_aip.h"
#include "aip/identity/did_key.h"

namespace aip::identity {
namespace {

constexpr std::string_view kType = "aip-file-signature";
constexpr std::size_t kMaxSignatureFileBytes = 64 * 1024;

}  // namespace

Result<json::Object> SignFileContent(const Identity& signer, ByteSpan content, std::string_view file_name, TimePoint now) {
  json::Object doc{{"type", kType},
                   {"version", 1},
                   {"signer", signer.did()},
                   {"algorithm", "Ed25519"},
                   {"created", FormatTime(now)},
                   {"file", file_name},
                   {"size", content.size()},
                   {"sha256", HexEncode(crypto::Sha256(content))}};
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  auto sig = signer.Sign(SigningDomain::kFileSignature, AsBytes(canonical));
  doc["signature"] = Base64UrlEncode(sig);
  return doc;
}

Result<FileSignatureInfo> VerifyFileSignature(std::string_view signature_json, ByteSpan content,
                                              const std::optional<std::string>& expected_signer) {
  json::ParseLimits limits;
  limits.max_bytes = kMaxSignatureFileBytes;
  auto parsed = json::ParseJsonObject(signature_json, limits);
  if (!parsed) return InvalidArgumentError("signature file is malformed or truncated: " + parsed.error().message);
  json::Object doc = std::move(*parsed);
  AIP_ASSIGN_OR_RETURN(std::string_view type, json::RequireString(doc, "type"));
  if (type != kType) return InvalidArgumentError("not an aip file signature (type \"" + std::string(type) + "\")");
  AIP_ASSIGN_OR_RETURN(std::int64_t version, json::RequireInt(doc, "version"));
  if (version != 1) return InvalidArgumentError("unsupported file signature version");
  AIP_ASSIGN_OR_RETURN(std::string_view algorithm, json::RequireString(doc, "algorithm"));
  if (algorithm != "Ed25519") return InvalidArgumentError("unsupported algorithm \"" + std::string(algorithm) + "\"");
  AIP_ASSIGN_OR_RETURN(std::string_view signer, json::RequireString(doc, "signer"));
  AIP_ASSIGN_OR_RETURN(std::string_view created, json::RequireString(doc, "created"));
  AIP_ASSIGN_OR_RETURN(std::string_view digest, json::RequireString(doc, "sha256"));
  AIP_ASSIGN_OR_RETURN(std::string_view sig_text, json::RequireString(doc, "signature"));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(signer));
  AIP_ASSIGN_OR_RETURN(Bytes sig, Base64UrlDecode(sig_text));
  FileSignatureInfo info{std::string(signer), DidAipFromPublicKey(key), {}, std::string(digest)};
  AIP_ASSIGN_OR_RETURN(info.created, ParseTime(created));

  doc.erase("signature");
  AIP_ASSIGN_OR_RETURN(std::string canonical, json::Canonicalize(doc));
  AIP_RETURN_IF_ERROR(crypto::Verify(key, DomainSeparated(SigningDomain::kFileSignature, AsBytes(canonical)), sig));
  if (HexEncode(crypto::Sha256(content)) != digest) {
    return UnauthenticatedError("file content does not match the signature (SHA-256 differs)");
  }
  if (expected_signer && !DidMatchesKey(*expected_signer, key)) {
    return UnauthenticatedError("signed by " + info.signer + ", not by " + *expected_signer);
  }
  return info;
}

}  // namespace aip::identity
