// Strict text encodings of bytes: hex, base64 (RFC 4648 §4), base64url (§5), base58btc and
// multibase. Decoders are strict because their outputs are compared and signed: a decoder that
// accepted two spellings of the same bytes would let an attacker vary an identifier freely.
//  - hex: lowercase or uppercase digits, even length, nothing else.
//  - base64: padding required and exact; base64url: no padding; both reject non-zero trailing
//    bits, whitespace and characters outside the alphabet.
//  - base58btc: the Bitcoin alphabet; leading '1's are leading zero bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "aip/base/bytes.h"
#include "aip/base/status.h"

namespace aip {

std::string HexEncode(ByteSpan data);
Result<Bytes> HexDecode(std::string_view text);

std::string Base64Encode(ByteSpan data);
Result<Bytes> Base64Decode(std::string_view text);
std::string Base64UrlEncode(ByteSpan data);
Result<Bytes> Base64UrlDecode(std::string_view text);

// Base58 decoding is quadratic, so inputs are capped; identifiers and signatures are far smaller.
inline constexpr std::size_t kMaxBase58Chars = 1024;
std::string Base58Encode(ByteSpan data);
Result<Bytes> Base58Decode(std::string_view text);

// Multibase: only base58btc ('z') is produced; 'z' and base64url ('u') are accepted.
std::string MultibaseEncode(ByteSpan data);
Result<Bytes> MultibaseDecode(std::string_view text);

}  // namespace aip
