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

// A token (RFC 8941 §3.3.4): written bare, and not equal to the string of the same letters.
struct Token {
  std::string value;
  bool operator==(const Token&) const = default;
};

// A bare item: integer, string, token, byte sequence or boolean.
using BareItem = std::variant<std::int64_t, std::string, Bytes, bool, Token>;

struct Parameters {
  std::vector<std::pair<std::string, BareItem>> items;  // In order; keys unique.
  const BareItem* Find(std::string_view key) const;
};

struct InnerList {
  std::vector<std::string> strings;  // Items: strings only (component identifiers).
  // The parameters of each item (RFC 9421 §2.1 component parameters such as `key="agent1"` or
  // `req`): empty, or as many as `strings`.
  std::vector<Parameters> item_params;
  Parameters params;

  // ItemParams returns the parameters of item `i` (none when not given).
  const Parameters& ItemParams(std::size_t i) const;
};

// Item is a dictionary member that is a single item (a string, token, integer, boolean, or a byte
// sequence with parameters), such as each agent of a Signature-Agent field, with its parameters.
struct Item {
  BareItem value;
  Parameters params;
};

// A dictionary member: an inner list, a byte sequence without parameters (as Signature's), or an
// item.
using Member = std::variant<InnerList, Bytes, Item>;

using Dictionary = std::vector<std::pair<std::string, Member>>;

// ParseDictionary reads a dictionary; kInvalidArgument on any syntax error or duplicate key.
Result<Dictionary> ParseDictionary(std::string_view text);
// SerializeDictionary writes a dictionary as RFC 8941 §4.1.2 does (a member that is boolean true
// is written as its key and parameters alone): the value of a covered field with the `sf`
// component parameter.
std::string SerializeDictionary(const Dictionary& dictionary);

std::string SerializeInnerList(const InnerList& list);
std::string SerializeByteSequence(ByteSpan bytes);
// SerializeComponent is a covered component's identifier: its name quoted, then its parameters.
std::string SerializeComponent(std::string_view name, const Parameters& params);
// SerializeMember is a dictionary member's value as RFC 8941 writes it (for `key=` components).
std::string SerializeMember(const Member& member);

}  // namespace aip::httpsig
