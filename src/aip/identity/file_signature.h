// Detached signatures over files (`aip sign` / `aip verify`): a small JSON document naming the
// signer's DID, the algorithm, the time and the file's SHA-256, signed in its own signing domain
// so it can never be replayed as another kind of aip signature.
#pragma once

#include <optional>
#include <string>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/base/status.h"
#include "aip/identity/identity.h"

namespace aip::identity {

// SignFileContent returns the signature document for `content` (named `file_name`).
Result<json::Object> SignFileContent(const Identity& signer, ByteSpan content, std::string_view file_name, TimePoint now);

struct FileSignatureInfo {
  std::string signer;  // did:key of the signer.
  std::string did_aip;
  TimePoint created;
  std::string sha256;
};

// VerifyFileSignature checks `signature_json` against `content`; if `expected_signer` is set
// (did:key or did:aip) the signer must be that identity. kUnauthenticated when anything differs,
// kInvalidArgument when the signature document is malformed or truncated.
Result<FileSignatureInfo> VerifyFileSignature(std::string_view signature_json, ByteSpan content,
                                              const std::optional<std::string>& expected_signer);

}  // namespace aip::identity
