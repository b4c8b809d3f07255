#include "aip/identity/signing_domain.h"

namespace aip::identity {

std::string_view SigningDomainTag(SigningDomain domain) {
  switch (domain) {
    case SigningDomain::kFileSignature:
      return "aip/file-signature/v1";
    case SigningDomain::kDirectoryManifest:
      return "aip/directory-manifest/v1";
    case SigningDomain::kKeyRotation:
      return "aip/key-rotation/v1";
    case SigningDomain::kMessage:
      return "aip/message/v1";
    case SigningDomain::kDeactivation:
      return "aip/deactivation/v1";
  }
  return "aip/invalid";
}

Status CheckStandardInput(StandardInput kind, ByteSpan input) {
  if (kind == StandardInput::kDataIntegrityHash) {
    if (input.size() != 64) return InvalidArgumentError("a Data Integrity hash input is 64 bytes");
    return OkStatus();
  }
  std::string_view base(reinterpret_cast<const char*>(input.data()), input.size());
  std::size_t last = base.rfind('\n');
  std::string_view params = last == std::string_view::npos ? base : base.substr(last + 1);
  if (!params.starts_with("\"@signature-params\": ")) return InvalidArgumentError("an HTTP signature base ends with @signature-params");
  std::size_t at = 0;
  while (at < base.size()) {
    if (base[at] != '"') return InvalidArgumentError("each line of an HTTP signature base starts with a component name");
    std::size_t end = base.find('\n', at);
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return OkStatus();
}

Bytes DomainSeparated(SigningDomain domain, ByteSpan payload) {
  static constexpr std::uint8_t kSeparator[] = {0};
  return Concat({AsBytes(SigningDomainTag(domain)), kSeparator, payload});
}

}  // namespace aip::identity
