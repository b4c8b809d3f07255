// A pin of one MCP definition (a tool or a prompt as its server lists it): the SHA-256 of its
// RFC 8785 (JCS) form — every field, name, title, description, inputSchema, outputSchema,
// annotations, icons, _meta — so any change to what the model reads or what the call accepts
// moves it (docs/tool-integrity.md). Only _meta keys that are carried apart from the definition
// are left out (kExcludedMetaKeys).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::pins {

// The definition's own signature (a Data Integrity proof): its signer is pinned beside the hash,
// and a proof re-made over the same definition (a new `created`) is no change.
inline constexpr std::string_view kDefinitionProofKey = "dev.aip/definitionProof";
inline constexpr std::string_view kExcludedMetaKeys[] = {kDefinitionProofKey};

// DefinitionHash is "sha-256:" and the lowercase hex digest; kInvalidArgument for a definition
// JCS cannot express.
Result<std::string> DefinitionHash(const json::Object& definition);

// FieldChange names one place where two definitions differ: a JSON Pointer into the definition
// and "added", "removed" or "changed" (a scalar or a member whose type changed).
struct FieldChange {
  std::string pointer;
  std::string change;
};

// Diff lists where `after` differs from `before`: objects member by member, arrays item by item,
// anything else as a whole. At most `max` entries (the rest are summed up in a last "…" entry).
std::vector<FieldChange> Diff(const json::Value& before, const json::Value& after, std::size_t max = 32);

}  // namespace aip::pins
