#include "aip/oauth/www_authenticate.h"

#include "aip/base/ascii.h"
#include "aip/net/http.h"

namespace aip::oauth {
namespace {

constexpr std::size_t kMaxHeaderBytes = 8 * 1024;

bool IsToken68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~+/").find(c) != std::string_view::npos;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  void Consume(char c) {
    if (peek() == c) ++i_;
  }
  void SkipSpace() {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  // SkipListSeparators skips OWS and empty list elements (", ,").
  void SkipListSeparators() {
    while (!done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
  }
  std::string_view Token() {
    std::size_t start = i_;
    while (!done() && net::IsHttpTokenChar(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  // ParamAhead: is a "name =" next (so not a new challenge's scheme nor a token68)?
  bool ParamAhead() const {
    std::size_t j = i_;
    while (j < s_.size() && net::IsHttpTokenChar(s_[j])) ++j;
    if (j == i_) return false;
    while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
    if (j >= s_.size() || s_[j] != '=') return false;
    // "abc==" is a token68 with padding, not a parameter.
    ++j;
    while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\t')) ++j;
    return j < s_.size() && s_[j] != '=' && s_[j] != ',';
  }
  Result<std::string> Value() {
    if (peek() != '"') {
      std::string_view t = Token();
      if (t.empty()) return InvalidArgumentError("a parameter without a value");
      return std::string(t);
    }
    ++i_;
    std::string out;
    while (!done()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (done()) break;
        c = s_[i_++];
      }
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return InvalidArgumentError("a control character in a quoted string");
      out.push_back(c);
    }
    return InvalidArgumentError("an unterminated quoted string");
  }
  std::string_view Token68() {
    std::size_t start = i_;
    while (!done() && IsToken68Char(s_[i_])) ++i_;
    while (!done() && s_[i_] == '=') ++i_;
    return s_.substr(start, i_ - start);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::string_view> Challenge::Param(std::string_view lower_name) const {
  auto it = params.find(std::string(lower_name));
  if (it == params.end()) return std::nullopt;
  return std::string_view(it->second);
}

Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header) {
  if (header.size() > kMaxHeaderBytes) return InvalidArgumentError("WWW-Authenticate is too long");
  std::vector<Challenge> out;
  Reader r(header);
  r.SkipListSeparators();
  while (!r.done()) {
    Challenge c;
    std::string_view scheme = r.Token();
    if (scheme.empty()) return InvalidArgumentError("WWW-Authenticate: expected an auth scheme");
    c.scheme = AsciiLower(scheme);
    r.SkipSpace();
    if (!r.done() && r.peek() != ',' && !r.ParamAhead()) {
      c.token68 = std::string(r.Token68());
      if (c.token68.empty()) return InvalidArgumentError("WWW-Authenticate: unexpected character after " + c.scheme);
      r.SkipSpace();
      if (!r.done() && r.peek() != ',') return InvalidArgumentError("WWW-Authenticate: malformed challenge " + c.scheme);
    } else {
      // Parameters follow until an element that is not "name=value" starts the next challenge.
      while (true) {
        r.SkipListSeparators();
        if (r.done() || !r.ParamAhead()) break;
        std::string name = AsciiLower(r.Token());
        r.SkipSpace();
        r.Consume('=');  // ParamAhead checked it is there.
        r.SkipSpace();
        AIP_ASSIGN_OR_RETURN(std::string value, r.Value());
        if (!c.params.emplace(name, std::move(value)).second) {
          return InvalidArgumentError("WWW-Authenticate: parameter " + name + " given twice");
        }
        r.SkipSpace();
        if (!r.done() && r.peek() != ',') return InvalidArgumentError("WWW-Authenticate: expected ',' after " + name);
      }
    }
    out.push_back(std::move(c));
    r.SkipListSeparators();
  }
  if (out.empty()) return InvalidArgumentError("WWW-Authenticate names no challenge");
  return out;
}

const Challenge* FindChallenge(const std::vector<Challenge>& challenges, std::string_view lower_scheme) {
  for (const auto& c : challenges) {
    if (c.scheme == lower_scheme) return &c;
  }
  return nullptr;
}

}  // namespace aip::oauth
