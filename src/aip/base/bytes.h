// Byte vocabulary shared by every module: owned bytes, borrowed views and conversions to text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aip {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

inline ByteSpan AsBytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteSpan b) { return std::string(b.begin(), b.end()); }
inline std::string_view AsStringView(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Concat joins byte sequences into one owned buffer.
inline Bytes Concat(std::initializer_list<ByteSpan> parts) {
  Bytes out;
  std::size_t n = 0;
  for (ByteSpan p : parts) n += p.size();
  out.reserve(n);
  for (ByteSpan p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace aip
