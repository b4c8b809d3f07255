#include "aip/base/encoding.h"

#include <array>

namespace aip {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ReverseTable maps each byte to its index in `alphabet`, or -1.
template <std::size_t N>
constexpr std::array<int, 256> ReverseTable(const char (&alphabet)[N]) {
  std::array<int, 256> t{};
  for (int& v : t) v = -1;
  for (std::size_t i = 0; i + 1 < N; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  return t;
}
constexpr auto kBase64StdRev = ReverseTable(kBase64Std);
constexpr auto kBase64UrlRev = ReverseTable(kBase64Url);
constexpr auto kBase58Rev = ReverseTable(kBase58);

std::string Base64EncodeWith(ByteSpan in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t rest = in.size() - i;
  if (rest == 1) {
    std::uint32_t v = std::uint32_t{in[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

Result<Bytes> Base64DecodeWith(std::string_view text, const std::array<int, 256>& rev, bool padded,
                               std::string_view name) {
  std::size_t data_len = text.size();
  if (padded) {
    if (text.size() % 4 != 0) return InvalidArgumentError(std::string(name) + ": length is not a multiple of 4");
    if (data_len > 0 && text[data_len - 1] == '=') --data_len;
    if (data_len > 0 && text[data_len - 1] == '=') --data_len;
  } else if (text.size() % 4 == 1) {
    return InvalidArgumentError(std::string(name) + ": impossible length");
  }
  Bytes out;
  out.reserve(data_len * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    int v = rev[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return InvalidArgumentError(std::string(name) + ": invalid character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (data_len % 4 == 1) return InvalidArgumentError(std::string(name) + ": impossible length");
  // RFC 4648 §3.5: the unused bits of the last character must be zero (one spelling per value).
  if (acc != 0) return InvalidArgumentError(std::string(name) + ": non-zero trailing bits");
  return out;
}

}  // namespace

std::string HexEncode(ByteSpan data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return InvalidArgumentError("hex: odd length");
  Bytes out(text.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidArgumentError("hex: invalid character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Encode(ByteSpan data) { return Base64EncodeWith(data, kBase64Std, true); }
Result<Bytes> Base64Decode(std::string_view text) {
  return Base64DecodeWith(text, kBase64StdRev, true, "base64");
}
std::string Base64UrlEncode(ByteSpan data) { return Base64EncodeWith(data, kBase64Url, false); }
Result<Bytes> Base64UrlDecode(std::string_view text) {
  return Base64DecodeWith(text, kBase64UrlRev, false, "base64url");
}

std::string Base58Encode(ByteSpan data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // log(256)/log(58) < 1.37: enough base-58 digits for the remaining bytes.
  std::vector<std::uint8_t> digits((data.size() - zeros) * 137 / 100 + 1, 0);
  std::size_t used = 0;
  for (std::size_t i = zeros; i < data.size(); ++i) {
    std::uint32_t carry = data[i];
    std::size_t j = 0;
    for (auto it = digits.rbegin(); (carry != 0 || j < used) && it != digits.rend(); ++it, ++j) {
      carry += 256u * *it;
      *it = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    used = j;
  }
  std::string out(zeros, '1');
  for (std::size_t i = digits.size() - used; i < digits.size(); ++i) out += kBase58[digits[i]];
  return out;
}

Result<Bytes> Base58Decode(std::string_view text) {
  if (text.size() > kMaxBase58Chars) return InvalidArgumentError("base58: input too long");
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  // log(58)/log(256) < 0.733.
  std::vector<std::uint8_t> bytes((text.size() - ones) * 733 / 1000 + 1, 0);
  std::size_t used = 0;
  for (std::size_t i = ones; i < text.size(); ++i) {
    int v = kBase58Rev[static_cast<unsigned char>(text[i])];
    if (v < 0) return InvalidArgumentError("base58: invalid character at offset " + std::to_string(i));
    std::uint32_t carry = static_cast<std::uint32_t>(v);
    std::size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
      carry += 58u * *it;
      *it = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    used = j;
  }
  Bytes out(ones, 0);
  out.insert(out.end(), bytes.end() - static_cast<std::ptrdiff_t>(used), bytes.end());
  return out;
}

std::string MultibaseEncode(ByteSpan data) { return "z" + Base58Encode(data); }

Result<Bytes> MultibaseDecode(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("multibase: empty");
  switch (text[0]) {
    case 'z': return Base58Decode(text.substr(1));
    case 'u': return Base64UrlDecode(text.substr(1));
    default: return InvalidArgumentError("multibase: unsupported base prefix");
  }
}

}  // namespace aip
