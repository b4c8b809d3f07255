#include "aip/identity/file_signature.h"

#include "aip/base/field_reader.h"

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
  json::FieldReader r(doc);
  std::string type, algorithm, signer, created, digest, sig_text;
  std::int64_t version = 0;
  AIP_RETURN_IF_ERROR(r.String("type", type, json::Need::kRequired, 64));
  if (type != kType) return InvalidArgumentError("not an aip file signature (type \"" + type + "\")");
  AIP_RETURN_IF_ERROR(r.Int("version", version, 1, 1, json::Need::kRequired));
  AIP_RETURN_IF_ERROR(r.String("algorithm", algorithm, json::Need::kRequired, 32));
  if (algorithm != "Ed25519") return InvalidArgumentError("unsupported algorithm \"" + algorithm + "\"");
  AIP_RETURN_IF_ERROR(r.String("signer", signer, json::Need::kRequired, 128));
  AIP_RETURN_IF_ERROR(r.String("created", created, json::Need::kRequired, 64));
  AIP_RETURN_IF_ERROR(r.String("sha256", digest, json::Need::kRequired, 64));
  AIP_RETURN_IF_ERROR(r.String("signature", sig_text, json::Need::kRequired, 128));
  AIP_ASSIGN_OR_RETURN(crypto::Ed25519PublicKey key, PublicKeyFromDidKey(signer));
  AIP_ASSIGN_OR_RETURN(Bytes sig, Base64UrlDecode(sig_text));
  FileSignatureInfo info{signer, DidAipFromPublicKey(key), {}, digest};
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
