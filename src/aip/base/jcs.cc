#include "aip/base/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace aip::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// DecodeAt reads the UTF-8 code point that starts at s[i] (input is valid UTF-8).
char32_t DecodeAt(std::string_view s, std::size_t i, std::size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if (c < 0xE0) {
    *len = 2;
    return (char32_t(c & 0x1F) << 6) | (s[i + 1] & 0x3F);
  }
  if (c < 0xF0) {
    *len = 3;
    return (char32_t(c & 0x0F) << 12) | (char32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
  }
  *len = 4;
  return (char32_t(c & 0x07) << 18) | (char32_t(s[i + 1] & 0x3F) << 12) | (char32_t(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

// FirstUtf16Unit maps a code point to the first UTF-16 code unit that encodes it.
std::uint32_t FirstUtf16Unit(char32_t cp) { return cp >= 0x10000 ? 0xD800 + ((cp - 0x10000) >> 10) : cp; }

// LessUtf16 orders UTF-8 strings by their UTF-16 code units (RFC 8785 §3.2.3). Byte order equals
// code point order, which differs from UTF-16 order only between a supplementary character
// (a surrogate pair) and a BMP character at or above U+E000; compare the first differing code points.
bool LessUtf16(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  if (i == n) return a.size() < b.size();
  while (i > 0 && (static_cast<unsigned char>(a[i]) & 0xC0) == 0x80) --i;  // Code point start.
  std::size_t la = 0, lb = 0;
  char32_t ca = DecodeAt(a, i, &la);
  char32_t cb = DecodeAt(b, i, &lb);
  std::uint32_t ua = FirstUtf16Unit(ca), ub = FirstUtf16Unit(cb);
  if (ua != ub) return ua < ub;
  return ca < cb;  // Same high surrogate: the low surrogates follow code point order.
}

enum class Style { kJcs, kPython, kCompact };

class Writer {
 public:
  explicit Writer(Style style) : style_(style) {}

  Status Write(const Value& v) {
    switch (v.kind()) {
      case boost::json::kind::null:
        out_ += "null";
        return OkStatus();
      case boost::json::kind::bool_:
        out_ += v.get_bool() ? "true" : "false";
        return OkStatus();
      case boost::json::kind::int64:
        AppendInt(v.get_int64());
        return OkStatus();
      case boost::json::kind::uint64:
        AppendUint(v.get_uint64());
        return OkStatus();
      case boost::json::kind::double_:
        return WriteDouble(v.get_double());
      case boost::json::kind::string:
        WriteString(v.get_string());
        return OkStatus();
      case boost::json::kind::array:
        return WriteArray(v.get_array());
      case boost::json::kind::object:
        return WriteObject(v.get_object());
    }
    return InternalError("JCS: unknown JSON kind");
  }

  std::string Take() { return std::move(out_); }
  Status WriteTop(const Object& o) { return WriteObject(o); }

 private:
  void AppendInt(std::int64_t i) {
    if (style_ == Style::kJcs && (i > (1LL << 53) || i < -(1LL << 53))) {
      // JCS numbers are IEEE doubles: large integers print as their double does.
      out_ += FormatNumber(static_cast<double>(i));
      return;
    }
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out_.append(buf, r.ptr);
  }
  void AppendUint(std::uint64_t u) {
    if (style_ == Style::kJcs && u > (1ULL << 53)) {
      out_ += FormatNumber(static_cast<double>(u));
      return;
    }
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, u);
    out_.append(buf, r.ptr);
  }
  Status WriteDouble(double d) {
    if (!std::isfinite(d)) {
      if (style_ != Style::kCompact) return InvalidArgumentError("JCS: non-finite number");
      out_ += "null";  // JSON has no NaN or Infinity; JSON.stringify writes null too.
      return OkStatus();
    }
    if (style_ == Style::kPython) {
      return InvalidArgumentError("legacy JSON: non-integer numbers are not supported");
    }
    out_ += FormatNumber(d);
    return OkStatus();
  }

  void WriteString(std::string_view s) {
    out_ += '"';
    std::size_t i = 0;
    while (i < s.size()) {
      // Copy the longest run that needs no escaping in one append.
      std::size_t start = i;
      while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == '"' || c == '\\' || (c >= 0x80 && style_ == Style::kPython)) break;
        ++i;
      }
      out_.append(s.data() + start, i - start);
      if (i == s.size()) break;
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {  // Python style only: \uXXXX, with surrogate pairs above the BMP.
        std::size_t len = 0;
        char32_t cp = DecodeAt(s, i, &len);
        i += len;
        if (cp >= 0x10000) {
          cp -= 0x10000;
          AppendU16(0xD800 + (cp >> 10));
          AppendU16(0xDC00 + (cp & 0x3FF));
        } else {
          AppendU16(cp);
        }
        continue;
      }
      ++i;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          AppendU16(c);
      }
    }
    out_ += '"';
  }
  void AppendU16(char32_t u) {
    out_ += "\\u";
    out_ += kHex[(u >> 12) & 15];
    out_ += kHex[(u >> 8) & 15];
    out_ += kHex[(u >> 4) & 15];
    out_ += kHex[u & 15];
  }

  Status WriteArray(const Array& a) {
    out_ += '[';
    bool first = true;
    for (const Value& v : a) {
      if (!first) out_ += ',';
      first = false;
      AIP_RETURN_IF_ERROR(Write(v));
    }
    out_ += ']';
    return OkStatus();
  }

  Status WriteObject(const Object& o) {
    std::vector<const boost::json::key_value_pair*> members;
    members.reserve(o.size());
    for (const auto& kv : o) members.push_back(&kv);
    if (style_ == Style::kJcs) {
      std::sort(members.begin(), members.end(), [](auto* x, auto* y) { return LessUtf16(x->key(), y->key()); });
    } else if (style_ == Style::kPython) {  // Python sorts str by code point: UTF-8 byte order.
      std::sort(members.begin(), members.end(), [](auto* x, auto* y) { return x->key() < y->key(); });
    }
    out_ += '{';
    bool first = true;
    for (const auto* kv : members) {
      if (!first) out_ += ',';
      first = false;
      WriteString(kv->key());
      out_ += ':';
      AIP_RETURN_IF_ERROR(Write(kv->value()));
    }
    out_ += '}';
    return OkStatus();
  }

  Style style_;
  std::string out_;
};

}  // namespace

std::string FormatNumber(double value) {
  if (value == 0) return "0";  // Also -0 (ECMAScript prints both as "0").
  // Shortest round-trip digits, as "d.ddde±x".
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  std::size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;  // value = 0.d1d2...dk × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> Canonicalize(const Value& value) {
  Writer w(Style::kJcs);
  AIP_RETURN_IF_ERROR(w.Write(value));
  return w.Take();
}

Result<std::string> Canonicalize(const Object& object) {
  Writer w(Style::kJcs);
  AIP_RETURN_IF_ERROR(w.WriteTop(object));
  return w.Take();
}

Result<std::string> CanonicalizeText(std::string_view text, const ParseLimits& limits) {
  AIP_ASSIGN_OR_RETURN(Value v, ParseJson(text, limits));
  return Canonicalize(v);
}

std::string SerializeCompact(const Value& value) {
  Writer w(Style::kCompact);
  (void)w.Write(value);  // Cannot fail in this style.
  return w.Take();
}

Result<std::string> SerializePythonSorted(const Value& value) {
  Writer w(Style::kPython);
  AIP_RETURN_IF_ERROR(w.Write(value));
  return w.Take();
}

}  // namespace aip::json
