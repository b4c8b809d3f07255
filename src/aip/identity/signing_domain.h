// Domain separation for aip's own (non-Data-Integrity) signatures: each kind of statement signs
// "aip/<kind>/v1" NUL payload, so a signature made for one purpose is never valid for another —
// unlike the Python AIP project, whose raw challenge signatures double as signing oracles.
#pragma once

#include <string_view>

#include "aip/base/bytes.h"
#include "aip/base/status.h"

namespace aip::identity {

enum class SigningDomain { kFileSignature, kDirectoryManifest, kKeyRotation, kMessage, kDeactivation };

// StandardInput names the signing inputs of the standards aip speaks, which frame their bytes
// themselves: a Data Integrity proof's hash data (eddsa-jcs-2022: SHA-256(proof config) ||
// SHA-256(document), exactly 64 bytes) and an RFC 9421 signature base (lines that each begin with
// a quoted component name, the last "@signature-params"). Neither can begin with an "aip/" tag,
// so they cannot be confused with aip's own statements, and Identity checks the shape before it
// signs, so an identity never signs arbitrary bytes.
enum class StandardInput { kDataIntegrityHash, kHttpSignatureBase };

// CheckStandardInput verifies that `input` has the shape of `kind`.
Status CheckStandardInput(StandardInput kind, ByteSpan input);

std::string_view SigningDomainTag(SigningDomain domain);

// DomainSeparated returns tag || 0x00 || payload, the bytes that are actually signed.
Bytes DomainSeparated(SigningDomain domain, ByteSpan payload);

}  // namespace aip::identity
