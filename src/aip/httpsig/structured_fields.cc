#include "aip/httpsig/structured_fields.h"

#include <charconv>

#include "aip/base/encoding.h"

namespace aip::httpsig {
namespace {

constexpr std::size_t kMaxFieldBytes = 8192;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool Done() const { return i_ >= s_.size(); }
  char Peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void SkipSp() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  void SkipOws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  Result<std::string> Key() {
    std::size_t start = i_;
    char c = Peek();
    if (!((c >= 'a' && c <= 'z') || c == '*')) return Bad("key");
    while (i_ < s_.size()) {
      c = s_[i_];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
        ++i_;
      } else {
        break;
      }
    }
    return std::string(s_.substr(start, i_ - start));
  }
  Result<std::string> String() {
    if (!Eat('"')) return Bad("string");
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\\')) return Bad("string escape");
        out += s_[i_++];
      } else if (c == '"') {
        return out;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return Bad("string character");
      } else {
        out += c;
      }
    }
    return Bad("unterminated string");
  }
  Result<Bytes> ByteSeq() {
    if (!Eat(':')) return Bad("byte sequence");
    std::size_t end = s_.find(':', i_);
    if (end == std::string_view::npos) return Bad("unterminated byte sequence");
    std::string_view b64 = s_.substr(i_, end - i_);
    i_ = end + 1;
    auto bytes = Base64Decode(b64);
    if (!bytes) return Bad("byte sequence base64");
    return *bytes;
  }
  Result<BareItem> Item() {
    char c = Peek();
    if (c == '"') {
      AIP_ASSIGN_OR_RETURN(std::string v, String());
      return BareItem(std::move(v));
    }
    if (c == ':') {
      AIP_ASSIGN_OR_RETURN(Bytes v, ByteSeq());
      return BareItem(std::move(v));
    }
    if (c == '?') {
      ++i_;
      if (Eat('1')) return BareItem(true);
      if (Eat('0')) return BareItem(false);
      return Bad("boolean");
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t start = i_;
      if (c == '-') ++i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ - start > 16 || (i_ < s_.size() && s_[i_] == '.')) return Bad("integer");
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + i_, v);
      if (ec != std::errc()) return Bad("integer");
      return BareItem(v);
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {  // Token.
      std::size_t start = i_;
      while (i_ < s_.size() && s_[i_] > 0x20 && s_[i_] < 0x7f &&
             std::string_view("\"(),;<=>?@[\\]{}").find(s_[i_]) == std::string_view::npos)
        ++i_;
      return BareItem(Token{std::string(s_.substr(start, i_ - start))});
    }
    return Bad("item");
  }
  Result<Parameters> Params() {
    Parameters p;
    while (Eat(';')) {
      SkipSp();
      AIP_ASSIGN_OR_RETURN(std::string key, Key());
      BareItem value = true;
      if (Eat('=')) {
        AIP_ASSIGN_OR_RETURN(value, Item());
      }
      if (p.Find(key) != nullptr) return Bad("duplicate parameter");
      p.items.emplace_back(std::move(key), std::move(value));
    }
    return p;
  }
  Error Bad(std::string_view what) const {
    return InvalidArgumentError("structured field: bad " + std::string(what) + " at offset " + std::to_string(i_));
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

const BareItem* Parameters::Find(std::string_view key) const {
  for (const auto& [k, v] : items) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<Dictionary> ParseDictionary(std::string_view text) {
  if (text.size() > kMaxFieldBytes) return InvalidArgumentError("structured field too long");
  Parser p(text);
  std::vector<std::pair<std::string, Member>> out;
  p.SkipSp();
  while (!p.Done()) {
    AIP_ASSIGN_OR_RETURN(std::string key, p.Key());
    for (const auto& m : out) {
      if (m.first == key) return p.Bad("duplicate dictionary key");
    }
    if (!p.Eat('=')) {
      // A bare key is boolean true (RFC 8941 §3.2), with its parameters.
      AIP_ASSIGN_OR_RETURN(Parameters params, p.Params());
      out.emplace_back(std::move(key), Member(Item{BareItem(true), std::move(params)}));
    } else if (p.Eat('(')) {
      InnerList list;
      while (true) {
        p.SkipSp();
        if (p.Eat(')')) break;
        AIP_ASSIGN_OR_RETURN(std::string item, p.String());
        AIP_ASSIGN_OR_RETURN(Parameters item_params, p.Params());
        list.strings.push_back(std::move(item));
        list.item_params.push_back(std::move(item_params));
        if (p.Peek() != ' ' && p.Peek() != ')') return p.Bad("inner list");
      }
      AIP_ASSIGN_OR_RETURN(list.params, p.Params());
      out.emplace_back(std::move(key), Member(std::move(list)));
    } else if (p.Peek() == ':') {
      AIP_ASSIGN_OR_RETURN(Bytes bytes, p.ByteSeq());
      AIP_ASSIGN_OR_RETURN(Parameters params, p.Params());
      if (params.items.empty()) {
        out.emplace_back(std::move(key), Member(std::move(bytes)));
      } else {
        out.emplace_back(std::move(key), Member(Item{BareItem(std::move(bytes)), std::move(params)}));
      }
    } else {
      AIP_ASSIGN_OR_RETURN(BareItem value, p.Item());
      AIP_ASSIGN_OR_RETURN(Parameters params, p.Params());
      out.emplace_back(std::move(key), Member(Item{std::move(value), std::move(params)}));
    }
    p.SkipOws();
    if (p.Done()) break;
    if (!p.Eat(',')) return p.Bad("dictionary (expected ',')");
    p.SkipOws();
    if (p.Done()) return p.Bad("trailing comma");
  }
  return out;
}

namespace {
std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string SerializeBareItem(const BareItem& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&v)) return QuoteString(*s);
  if (const auto* b = std::get_if<Bytes>(&v)) return SerializeByteSequence(*b);
  if (const auto* t = std::get_if<Token>(&v)) return t->value;
  return std::get<bool>(v) ? "?1" : "?0";
}

std::string SerializeParams(const Parameters& params) {
  std::string out;
  for (const auto& [k, v] : params.items) {
    out += ';' + k;
    // A true boolean parameter is written bare (`;req`), as RFC 8941 §4.1.1.2 says.
    if (const auto* t = std::get_if<bool>(&v); t != nullptr && *t) continue;
    out += '=' + SerializeBareItem(v);
  }
  return out;
}

}  // namespace

const Parameters& InnerList::ItemParams(std::size_t i) const {
  static const Parameters kNone;
  return i < item_params.size() ? item_params[i] : kNone;
}

std::string SerializeComponent(std::string_view name, const Parameters& params) { return QuoteString(name) + SerializeParams(params); }

std::string SerializeInnerList(const InnerList& list) {
  std::string out = "(";
  for (std::size_t i = 0; i < list.strings.size(); ++i) {
    if (i > 0) out += ' ';
    out += SerializeComponent(list.strings[i], list.ItemParams(i));
  }
  out += ')';
  return out + SerializeParams(list.params);
}

std::string SerializeMember(const Member& member) {
  if (const auto* list = std::get_if<InnerList>(&member)) return SerializeInnerList(*list);
  if (const auto* bytes = std::get_if<Bytes>(&member)) return SerializeByteSequence(*bytes);
  const Item& item = std::get<Item>(member);
  return SerializeBareItem(item.value) + SerializeParams(item.params);
}

std::string SerializeDictionary(const Dictionary& dictionary) {
  std::string out;
  for (const auto& [key, member] : dictionary) {
    if (!out.empty()) out += ", ";
    out += key;
    const auto* item = std::get_if<Item>(&member);
    const auto* flag = item == nullptr ? nullptr : std::get_if<bool>(&item->value);
    if (flag != nullptr && *flag) {
      out += SerializeParams(item->params);
    } else {
      out += "=" + SerializeMember(member);
    }
  }
  return out;
}

std::string SerializeByteSequence(ByteSpan bytes) { return ":" + Base64Encode(bytes) + ":"; }

}  // namespace aip::httpsig
