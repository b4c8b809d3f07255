#include "aip/base/toml.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <set>
#include <vector>

#include "aip/base/json_pointer.h"

namespace aip::toml {
namespace {

// One step of a path from the root: an object key, or the last element of an array of tables.
struct Step {
  std::string key;
  bool into_last = false;  // Then `key` names the array and we stand in its last table.
};

bool IsBareKeyChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

// ValidText checks the whole input once: UTF-8, and no control characters except tab and
// newlines (TOML forbids them everywhere, comments included). Returns the offending line or 0.
int InvalidTextLine(std::string_view s) {
  int line = 1;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\n') {
        ++line;
      } else if (c == '\r') {
        if (i + 1 >= s.size() || s[i + 1] != '\n') return line;
      } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return line;
      }
      ++i;
      continue;
    }
    std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (n == 0 || c > 0xf4 || i + n > s.size()) return line;
    std::uint32_t cp = c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return line;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
      return line;
    }
    i += n;
  }
  return 0;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source, const Limits& limits) : s_(text), limits_(limits) {
    doc_.source = std::string(source);
  }

  Result<Document> Run() {
    if (s_.size() > limits_.max_bytes) {
      return ResourceExhaustedError(doc_.source + ": larger than " + std::to_string(limits_.max_bytes) + " bytes");
    }
    if (int bad = InvalidTextLine(s_)) return Fail(bad, "invalid UTF-8 or a control character");
    while (true) {
      SkipBlankLines();
      if (AtEnd()) break;
      if (Peek() == '[') {
        AIP_RETURN_IF_ERROR(Header());
      } else {
        AIP_RETURN_IF_ERROR(KeyValue(current_, current_ptr_));
      }
      AIP_RETURN_IF_ERROR(EndOfLine());
    }
    return std::move(doc_);
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(std::size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool LookingAt(std::string_view t) const { return s_.substr(pos_).starts_with(t); }
  void Take() {
    if (s_[pos_] == '\n') ++line_;
    ++pos_;
  }
  Status Fail(std::string_view message) const { return Fail(line_, message); }
  Status Fail(int line, std::string_view message) const {
    return InvalidArgumentError(doc_.source + ":" + std::to_string(line) + ": " + std::string(message));
  }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t')) ++pos_;
  }
  void SkipComment() {
    if (Peek() == '#') {
      while (!AtEnd() && Peek() != '\n') ++pos_;
    }
  }
  bool AtNewline() const { return Peek() == '\n' || (Peek() == '\r' && Peek(1) == '\n'); }
  void TakeNewline() {
    if (Peek() == '\r') ++pos_;
    Take();
  }
  void SkipBlankLines() {
    while (true) {
      SkipSpace();
      SkipComment();
      if (!AtNewline()) return;
      TakeNewline();
    }
  }
  Status EndOfLine() {
    SkipSpace();
    SkipComment();
    if (AtEnd()) return OkStatus();
    if (!AtNewline()) return Fail("expected the end of the line");
    TakeNewline();
    return OkStatus();
  }

  // --- keys ---------------------------------------------------------------------------------
  Result<std::vector<std::string>> Key() {
    std::vector<std::string> parts;
    while (true) {
      SkipSpace();
      std::string part;
      if (Peek() == '"') {
        AIP_ASSIGN_OR_RETURN(part, BasicString());
      } else if (Peek() == '\'') {
        AIP_ASSIGN_OR_RETURN(part, LiteralString());
      } else {
        std::size_t start = pos_;
        while (!AtEnd() && IsBareKeyChar(Peek())) ++pos_;
        if (pos_ == start) return Fail("expected a key");
        part = std::string(s_.substr(start, pos_ - start));
      }
      parts.push_back(std::move(part));
      if (parts.size() > limits_.max_depth) return Fail("key nested too deeply");
      SkipSpace();
      if (Peek() != '.') return parts;
      ++pos_;
    }
  }

  // Resolve walks `path` from the root; every step exists (the parser built it).
  json::Object& Resolve(const std::vector<Step>& path) {
    json::Object* o = &doc_.root;
    for (const auto& step : path) {
      json::Value& v = (*o)[step.key];
      o = step.into_last ? &v.as_array().back().as_object() : &v.as_object();
    }
    return *o;
  }

  // Descend goes from the table at `path`/`ptr` into key `key`, creating an implicit table when
  // absent. `define` marks created tables as defined (dotted keys define their tables).
  Status Descend(std::vector<Step>& path, std::string& ptr, const std::string& key, bool define) {
    json::Object& here = Resolve(path);
    ptr += "/" + json::EscapePointerToken(key);
    if (frozen_.count(ptr)) return Fail("\"" + key + "\" is an inline table or array and cannot be extended");
    json::Value* v = here.if_contains(key);
    if (v == nullptr) {
      here[key] = json::Object{};
      doc_.lines.emplace(ptr, line_);
      if (define) defined_.insert(ptr);
      path.push_back({key, false});
      return OkStatus();
    }
    if (v->is_object()) {
      // Dotted keys may only extend tables that dotted keys opened in this same table: never
      // a table defined by a header or created implicitly by one.
      if (define && (!defined_.count(ptr) || headers_.count(ptr))) {
        return Fail("table \"" + key + "\" is defined elsewhere; dotted keys cannot extend it");
      }
      path.push_back({key, false});
      return OkStatus();
    }
    if (v->is_array() && aot_.count(ptr)) {
      if (define) return Fail("\"" + key + "\" is an array of tables");
      ptr += "/" + std::to_string(v->as_array().size() - 1);
      path.push_back({key, true});
      return OkStatus();
    }
    return Fail("\"" + key + "\" already has a value");
  }

  Status Header() {
    int header_line = line_;
    ++pos_;
    bool array = Peek() == '[';
    if (array) ++pos_;
    AIP_ASSIGN_OR_RETURN(auto keys, Key());
    if (Peek() != ']' || (array && Peek(1) != ']')) return Fail(array ? "expected \"]]\"" : "expected \"]\"");
    pos_ += array ? 2 : 1;
    std::vector<Step> path;
    std::string ptr;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) AIP_RETURN_IF_ERROR(Descend(path, ptr, keys[i], false));
    const std::string& last = keys.back();
    std::string last_ptr = ptr + "/" + json::EscapePointerToken(last);
    if (frozen_.count(last_ptr)) return Fail(header_line, "\"" + last + "\" is an inline table or array and cannot be extended");
    json::Object& parent = Resolve(path);
    json::Value* v = parent.if_contains(last);
    if (array) {
      if (v == nullptr) {
        parent[last] = json::Array{json::Object{}};
        aot_.insert(last_ptr);
        doc_.lines.emplace(last_ptr, header_line);
      } else if (v->is_array() && aot_.count(last_ptr)) {
        v->as_array().push_back(json::Object{});
      } else {
        return Fail(header_line, "\"" + last + "\" is already defined and is not an array of tables");
      }
      std::size_t index = parent[last].as_array().size() - 1;
      path.push_back({last, true});
      current_ptr_ = last_ptr + "/" + std::to_string(index);
      doc_.lines[current_ptr_] = header_line;
    } else {
      if (v == nullptr) {
        parent[last] = json::Object{};
        doc_.lines.emplace(last_ptr, header_line);
      } else if (!v->is_object() || defined_.count(last_ptr)) {
        return Fail(header_line, "table \"" + last + "\" is defined twice");
      }
      defined_.insert(last_ptr);
      headers_.insert(last_ptr);
      path.push_back({last, false});
      current_ptr_ = last_ptr;
    }
    current_ = std::move(path);
    return OkStatus();
  }

  Status KeyValue(const std::vector<Step>& table, const std::string& table_ptr) {
    int key_line = line_;
    AIP_ASSIGN_OR_RETURN(auto keys, Key());
    if (Peek() != '=') return Fail("expected \"=\" after a key");
    ++pos_;
    SkipSpace();
    std::vector<Step> path = table;
    std::string ptr = table_ptr;
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) AIP_RETURN_IF_ERROR(Descend(path, ptr, keys[i], true));
    std::string value_ptr = ptr + "/" + json::EscapePointerToken(keys.back());
    if (Resolve(path).contains(keys.back())) return Fail(key_line, "duplicate key \"" + keys.back() + "\"");
    doc_.lines.emplace(value_ptr, key_line);
    // Values never touch the document while parsed, so the table can be resolved afterwards.
    AIP_ASSIGN_OR_RETURN(json::Value value, Value(value_ptr, depth_base_));
    if (value.is_object() || value.is_array()) frozen_.insert(value_ptr);
    Resolve(path)[keys.back()] = std::move(value);
    return OkStatus();
  }

  // --- values -------------------------------------------------------------------------------
  Result<json::Value> Value(const std::string& ptr, std::size_t depth) {
    if (depth > limits_.max_depth) return Fail("values nested too deeply");
    char c = Peek();
    if (c == '"') {
      AIP_ASSIGN_OR_RETURN(std::string s, LookingAt("\"\"\"") ? MultilineBasic() : BasicString());
      return json::Value(s);
    }
    if (c == '\'') {
      AIP_ASSIGN_OR_RETURN(std::string s, LookingAt("'''") ? MultilineLiteral() : LiteralString());
      return json::Value(s);
    }
    if (c == '[') return ArrayValue(ptr, depth);
    if (c == '{') return InlineTable(ptr, depth);
    if (LookingAt("true")) {
      pos_ += 4;
      return json::Value(true);
    }
    if (LookingAt("false")) {
      pos_ += 5;
      return json::Value(false);
    }
    return Number();
  }

  Result<json::Value> ArrayValue(const std::string& ptr, std::size_t depth) {
    ++pos_;
    json::Array out;
    while (true) {
      SkipBlankLines();
      if (AtEnd()) return Fail("unterminated array");
      if (Peek() == ']') break;
      AIP_ASSIGN_OR_RETURN(json::Value v, Value(ptr + "/" + std::to_string(out.size()), depth + 1));
      out.push_back(std::move(v));
      SkipBlankLines();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != ']') return Fail("expected \",\" or \"]\" in an array");
      break;
    }
    ++pos_;
    return json::Value(std::move(out));
  }

  Result<json::Value> InlineTable(const std::string& ptr, std::size_t depth) {
    ++pos_;
    // Parse the pairs into a scratch document rooted here, reusing the key/value machinery.
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      return json::Value(json::Object{});
    }
    Parser inner(s_, doc_.source, limits_);
    inner.pos_ = pos_;
    inner.line_ = line_;
    inner.depth_base_ = depth + 1;
    while (true) {
      AIP_RETURN_IF_ERROR(inner.KeyValue({}, ""));
      inner.SkipSpace();
      if (inner.Peek() == ',') {
        ++inner.pos_;
        inner.SkipSpace();
        if (inner.Peek() == '}') return inner.Fail("trailing comma in an inline table");
        continue;
      }
      if (inner.Peek() != '}') return inner.Fail("expected \",\" or \"}\" in an inline table");
      ++inner.pos_;
      break;
    }
    pos_ = inner.pos_;
    line_ = inner.line_;
    for (auto& [p, l] : inner.doc_.lines) doc_.lines.emplace(ptr + p, l);
    return json::Value(std::move(inner.doc_.root));
  }

  Result<std::uint32_t> HexEscape(int digits) {
    if (pos_ + static_cast<std::size_t>(digits) > s_.size()) return Fail("short unicode escape");
    std::uint32_t cp = 0;
    for (int i = 0; i < digits; ++i) {
      char h = s_[pos_++];
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) return Fail("bad unicode escape");
      cp = cp * 16 + static_cast<std::uint32_t>(d);
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return Fail("unicode escape is not a scalar value");
    return cp;
  }

  // Escape reads one escape after the backslash into `out`.
  Status Escape(std::string& out) {
    if (AtEnd()) return Fail("unterminated string");
    char e = s_[pos_++];
    switch (e) {
      case 'b':
        out += '\b';
        return OkStatus();
      case 't':
        out += '\t';
        return OkStatus();
      case 'n':
        out += '\n';
        return OkStatus();
      case 'f':
        out += '\f';
        return OkStatus();
      case 'r':
        out += '\r';
        return OkStatus();
      case '"':
        out += '"';
        return OkStatus();
      case '\\':
        out += '\\';
        return OkStatus();
      case 'u':
      case 'U': {
        AIP_ASSIGN_OR_RETURN(std::uint32_t cp, HexEscape(e == 'u' ? 4 : 8));
        AppendUtf8(out, cp);
        return OkStatus();
      }
      default:
        return Fail("unknown escape \"\\" + std::string(1, e) + "\"");
    }
  }

  Result<std::string> BasicString() {
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd() || AtNewline()) return Fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        AIP_RETURN_IF_ERROR(Escape(out));
      } else {
        out += c;
      }
    }
  }

  Result<std::string> LiteralString() {
    ++pos_;
    std::size_t start = pos_;
    while (!AtEnd() && Peek() != '\'' && !AtNewline()) ++pos_;
    if (Peek() != '\'') return Fail("unterminated string");
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }

  // CloseMultiline handles the closing delimiter `q` (three quotes), allowing up to two quotes
  // of content right before it. Returns true when the string ended.
  bool CloseMultiline(char q, std::string& out) {
    if (!(Peek() == q && Peek(1) == q && Peek(2) == q)) return false;
    std::size_t run = 0;
    while (Peek(run) == q) ++run;
    if (run > 5) return false;
    out.append(run - 3, q);
    pos_ += run;
    return true;
  }

  Result<std::string> MultilineBasic() {
    pos_ += 3;
    if (AtNewline()) TakeNewline();
    std::string out;
    while (true) {
      if (AtEnd()) return Fail("unterminated multi-line string");
      if (CloseMultiline('"', out)) return out;
      char c = Peek();
      if (c == '\\') {
        ++pos_;
        // A backslash at the end of a line trims the newline and the whitespace after it.
        std::size_t save = pos_;
        SkipSpace();
        if (AtNewline()) {
          while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || AtNewline())) {
            if (AtNewline()) {
              TakeNewline();
            } else {
              ++pos_;
            }
          }
          continue;
        }
        pos_ = save;
        AIP_RETURN_IF_ERROR(Escape(out));
        continue;
      }
      if (c == '\r') {
        ++pos_;
        continue;  // Only before \n (checked up front); newlines are normalised to \n.
      }
      out += c;
      Take();
    }
  }

  Result<std::string> MultilineLiteral() {
    pos_ += 3;
    if (AtNewline()) TakeNewline();
    std::string out;
    while (true) {
      if (AtEnd()) return Fail("unterminated multi-line string");
      if (CloseMultiline('\'', out)) return out;
      char c = Peek();
      if (c != '\r') out += c;
      Take();
    }
  }

  Result<json::Value> Number() {
    std::size_t start = pos_;
    while (!AtEnd() && (IsBareKeyChar(Peek()) || Peek() == '+' || Peek() == '.' || Peek() == ':')) ++pos_;
    std::string_view tok = s_.substr(start, pos_ - start);
    if (tok.empty()) return Fail("expected a value");
    if (tok.find(':') != std::string_view::npos || (tok.size() >= 10 && tok[4] == '-' && tok[7] == '-')) {
      return Fail("dates and times are not supported; write them as strings");
    }
    std::string_view body = tok;
    bool negative = false;
    if (body.front() == '+' || body.front() == '-') {
      negative = body.front() == '-';
      body.remove_prefix(1);
    }
    if (body == "inf" || body == "nan") return Fail("inf and nan are not supported");
    int base = 10;
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
      if (body.size() != tok.size()) return Fail("a sign is not allowed on a hex, octal or binary number");
      base = body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2;
      body.remove_prefix(2);
    }
    // Underscores only between two digits.
    std::string digits;
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '_') {
        auto digit = [&](char ch) {
          auto u = static_cast<unsigned char>(ch);
          return base == 16 ? std::isxdigit(u) != 0 : std::isdigit(u) != 0;
        };
        if (i == 0 || i + 1 == body.size() || !digit(body[i - 1]) || !digit(body[i + 1])) {
          return Fail("misplaced \"_\" in a number");
        }
        continue;
      }
      digits += body[i];
    }
    if (digits.empty()) return Fail("bad number \"" + std::string(tok) + "\"");
    bool is_float = base == 10 && digits.find_first_of(".eE") != std::string::npos;
    if (!is_float) {
      if (base == 10 && digits.size() > 1 && digits[0] == '0') return Fail("leading zeros are not allowed");
      std::uint64_t magnitude = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
      if (ec == std::errc::result_out_of_range) return Fail("integer out of range");
      if (ec != std::errc() || p != digits.data() + digits.size()) return Fail("bad number \"" + std::string(tok) + "\"");
      if (magnitude > static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0)) return Fail("integer out of range");
      std::int64_t v = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
      return json::Value(v);
    }
    // Float grammar: int part (no leading zeros), then .digits and/or e[+-]digits.
    std::size_t i = 0;
    auto run = [&]() {
      std::size_t b = i;
      while (i < digits.size() && std::isdigit(static_cast<unsigned char>(digits[i]))) ++i;
      return i - b;
    };
    std::size_t int_len = run();
    if (int_len == 0 || (int_len > 1 && digits[0] == '0')) return Fail("bad float \"" + std::string(tok) + "\"");
    if (i < digits.size() && digits[i] == '.') {
      ++i;
      if (run() == 0) return Fail("bad float \"" + std::string(tok) + "\"");
    }
    if (i < digits.size() && (digits[i] == 'e' || digits[i] == 'E')) {
      ++i;
      if (i < digits.size() && (digits[i] == '+' || digits[i] == '-')) ++i;
      if (run() == 0) return Fail("bad float \"" + std::string(tok) + "\"");
    }
    if (i != digits.size()) return Fail("bad float \"" + std::string(tok) + "\"");
    double d = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
    if (ec != std::errc() || !std::isfinite(d)) return Fail("float out of range");
    if (p != digits.data() + digits.size()) return Fail("bad float \"" + std::string(tok) + "\"");
    return json::Value(negative ? -d : d);
  }

  std::string_view s_;
  Limits limits_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t depth_base_ = 0;
  Document doc_;
  std::vector<Step> current_;
  std::string current_ptr_;
  std::set<std::string> defined_;  // Tables defined by a header or by dotted keys.
  std::set<std::string> headers_;  // Tables defined by a header.
  std::set<std::string> aot_;      // Arrays of tables.
  std::set<std::string> frozen_;   // Inline tables and arrays: closed to later keys.
};

}  // namespace

int Document::LineOf(std::string_view pointer) const {
  std::string p(pointer);
  while (true) {
    if (auto it = lines.find(p); it != lines.end()) return it->second;
    std::size_t slash = p.rfind('/');
    if (slash == std::string::npos) return 0;
    p.resize(slash);
  }
}

std::string Document::Where(std::string_view pointer) const {
  int line = LineOf(pointer);
  return line > 0 ? source + ":" + std::to_string(line) : source;
}

std::string DottedName(std::string_view pointer) {
  std::string out;
  std::size_t at = 0;
  while (at < pointer.size() && pointer[at] == '/') {
    std::size_t end = pointer.find('/', at + 1);
    std::string_view token = pointer.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
    bool index = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (index) {
      out += "[" + std::string(token) + "]";
    } else {
      if (!out.empty()) out += '.';
      for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
          out += token[i + 1] == '1' ? '/' : '~';
          ++i;
        } else {
          out += token[i];
        }
      }
    }
    if (end == std::string_view::npos) break;
    at = end;
  }
  return out;
}

std::shared_ptr<const json::Describe> Describer(const Document& doc) {
  return std::make_shared<const json::Describe>([&doc](std::string_view pointer) {
    std::string name = DottedName(pointer);
    return name.empty() ? doc.Where(pointer) : doc.Where(pointer) + ": " + name;
  });
}

Result<Document> Parse(std::string_view text, std::string_view source_name, const Limits& limits) {
  return Parser(text, source_name, limits).Run();
}

}  // namespace aip::toml
