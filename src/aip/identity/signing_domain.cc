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
  }
  return "aip/invalid";
}

Bytes DomainSeparated(SigningDomain domain, ByteSpan payload) {
  static constexpr std::uint8_t kSeparator[] = {0};
  return Concat({AsBytes(SigningDomainTag(domain)), kSeparator, payload});
}

}  // namespace aip::identity
