// The parts of RFC 8941 (Structured Field Values) that HTTP message signatures use: a
// dictionary whose members are inner lists of strings with parameters (Signature-Input) or byte
// sequences (Signature), and their serialization. Parsing is strict; anything else is refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aip/base/bytes.h"
#include "aip/base/status.h"

namespace aip::httpsig {

// A bare item: integer, string, token, byte sequence or boolean.
using BareItem = std::variant<std::int64_t, std::string, Bytes, bool>;

struct Parameters {
  std::vector<std::pair<std::string, BareItem>> items;  // In order; keys unique.
  const BareItem* Find(std::string_view key) const;
};

struct InnerList {
  std::vector<std::string> strings;  // Items: strings only (component identifiers).
  Parameters params;
};

// A dictionary member is an inner list or a byte sequence (with parameters ignored).
using Member = std::variant<InnerList, Bytes>;

// ParseDictionary reads a dictionary; kInvalidArgument on any syntax error or duplicate key.
Result<std::vector<std::pair<std::string, Member>>> ParseDictionary(std::string_view text);

std::string SerializeInnerList(const InnerList& list);
std::string SerializeByteSequence(ByteSpan bytes);

}  // namespace aip::httpsig
