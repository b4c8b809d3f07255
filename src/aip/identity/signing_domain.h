// Domain separation for aip's own (non-Data-Integrity) signatures: each kind of statement signs
// "aip/<kind>/v1" NUL payload, so a signature made for one purpose is never valid for another —
// unlike the Python AIP project, whose raw challenge signatures double as signing oracles.
#pragma once

#include <string_view>

#include "aip/base/bytes.h"

namespace aip::identity {

enum class SigningDomain { kFileSignature, kDirectoryManifest, kKeyRotation, kMessage };

std::string_view SigningDomainTag(SigningDomain domain);

// DomainSeparated returns tag || 0x00 || payload, the bytes that are actually signed.
Bytes DomainSeparated(SigningDomain domain, ByteSpan payload);

}  // namespace aip::identity
