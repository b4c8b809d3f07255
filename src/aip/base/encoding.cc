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

Result<Bytes> Base64DecodeWith(std::string_view text, const std::array<int, 256>& rev, bool padded, std::string_view name) {
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
Result<Bytes> Base64Decode(std::string_view text) { return Base64DecodeWith(text, kBase64StdRev, true, "base64"); }
std::string Base64UrlEncode(ByteSpan data) { return Base64EncodeWith(data, kBase64Url, false); }
Result<Bytes> Base64UrlDecode(std::string_view text) { return Base64DecodeWith(text, kBase64UrlRev, false, "base64url"); }

// Base58 works on 32-bit limbs and five base-58 digits at a time (58^5 < 2^32), about twenty
// times fewer steps than digit-by-digit arithmetic: identifiers and proofs are decoded on every
// verified request.
constexpr std::uint32_t kBase58Pow5 = 58u * 58u * 58u * 58u * 58u;  // 656,356,768

std::string Base58Encode(ByteSpan data) {
  std::size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Big-endian bytes → little-endian 32-bit limbs.
  std::vector<std::uint32_t> limbs;
  std::size_t n = data.size() - zeros;
  limbs.reserve(n / 4 + 1);
  for (std::size_t end = data.size(); end > zeros;) {
    std::size_t start = end >= zeros + 4 ? end - 4 : zeros;
    std::uint32_t v = 0;
    for (std::size_t i = start; i < end; ++i) v = (v << 8) | data[i];
    limbs.push_back(v);
    end = start;
  }
  // Repeated division by 58^5 gives base-58^5 chunks, least significant first.
  std::string digits;  // Least significant digit first.
  while (!limbs.empty()) {
    std::uint64_t rem = 0;
    for (std::size_t i = limbs.size(); i-- > 0;) {
      std::uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(cur / kBase58Pow5);
      rem = cur % kBase58Pow5;
    }
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
    for (int k = 0; k < 5; ++k) {
      digits += kBase58[rem % 58];
      rem /= 58;
    }
  }
  while (!digits.empty() && digits.back() == '1') digits.pop_back();  // Leading zero digits.
  std::string out(zeros, '1');
  out.append(digits.rbegin(), digits.rend());
  return out;
}

Result<Bytes> Base58Decode(std::string_view text) {
  if (text.size() > kMaxBase58Chars) return InvalidArgumentError("base58: input too long");
  std::size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  std::vector<std::uint32_t> limbs;  // Little-endian.
  auto mul_add = [&limbs](std::uint32_t mul, std::uint32_t add) {
    std::uint64_t carry = add;
    for (std::uint32_t& limb : limbs) {
      std::uint64_t cur = static_cast<std::uint64_t>(limb) * mul + carry;
      limb = static_cast<std::uint32_t>(cur);
      carry = cur >> 32;
    }
    if (carry != 0) limbs.push_back(static_cast<std::uint32_t>(carry));
  };
  std::uint32_t chunk = 0, chunk_mul = 1;
  for (std::size_t i = ones; i < text.size(); ++i) {
    int v = kBase58Rev[static_cast<unsigned char>(text[i])];
    if (v < 0) return InvalidArgumentError("base58: invalid character at offset " + std::to_string(i));
    chunk = chunk * 58 + static_cast<std::uint32_t>(v);
    chunk_mul *= 58;
    if (chunk_mul == kBase58Pow5) {
      mul_add(chunk_mul, chunk);
      chunk = 0;
      chunk_mul = 1;
    }
  }
  if (chunk_mul != 1) mul_add(chunk_mul, chunk);
  Bytes out(ones, 0);
  std::vector<std::uint8_t> be;
  for (std::uint32_t limb : limbs) {
    for (int k = 0; k < 4; ++k) be.push_back(static_cast<std::uint8_t>(limb >> (8 * k)));
  }
  while (!be.empty() && be.back() == 0) be.pop_back();
  out.insert(out.end(), be.rbegin(), be.rend());
  return out;
}

std::string MultibaseEncode(ByteSpan data) { return "z" + Base58Encode(data); }

Result<Bytes> MultibaseDecode(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("multibase: empty");
  switch (text[0]) {
    case 'z':
      return Base58Decode(text.substr(1));
    case 'u':
      return Base64UrlDecode(text.substr(1));
    default:
      return InvalidArgumentError("multibase: unsupported base prefix");
  }
}

}  // namespace aip
