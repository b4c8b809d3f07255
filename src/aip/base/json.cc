#include "aip/base/json.h"

#include "aip/base/jcs.h"

#include <charconv>
#include <cmath>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace aip::json {
namespace {

// KeySet detects a repeated key inside one object: a linear scan for the small objects that
// dominate real traffic, a hash set once an object grows (so a million keys stay linear time).
class KeySet {
 public:
  void Clear() {
    small_.clear();
    large_.clear();
    use_large_ = false;
  }
  // Insert returns false if `key` is already present.
  bool Insert(std::string_view key) {
    if (use_large_) return large_.emplace(key).second;
    for (const std::string& k : small_) {
      if (k == key) return false;
    }
    small_.emplace_back(key);
    if (small_.size() > kSmallLimit) {
      for (std::string& k : small_) large_.insert(std::move(k));
      small_.clear();
      use_large_ = true;
    }
    return true;
  }

 private:
  static constexpr std::size_t kSmallLimit = 32;
  std::vector<std::string> small_;
  std::unordered_set<std::string> large_;
  bool use_large_ = false;
};

// Handler builds the value with Boost's value_stack and adds the checks Boost does not make.
struct Handler {
  constexpr static std::size_t max_object_size = std::size_t(-1);
  constexpr static std::size_t max_array_size = std::size_t(-1);
  constexpr static std::size_t max_key_size = std::size_t(-1);
  constexpr static std::size_t max_string_size = std::size_t(-1);

  boost::json::value_stack st;
  std::vector<KeySet> keys;  // One per open object; reused across objects at the same depth.
  std::size_t depth = 0;     // Open objects.
  std::string key_buf;
  std::string number_buf;
  std::string problem;  // Set when the handler itself rejects the input.

  bool Fail(boost::json::error_code& ec, std::string why) {
    problem = std::move(why);
    ec = boost::json::error::exception;
    return false;
  }

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) {
    if (keys.size() <= depth) keys.emplace_back();
    keys[depth].Clear();
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code&) {
    --depth;
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key_buf.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    key_buf.append(s.data(), s.size());
    if (!keys[depth - 1].Insert(key_buf)) {
      std::string shown = key_buf.size() > 64 ? key_buf.substr(0, 64) + "..." : key_buf;
      return Fail(ec, "duplicate key \"" + shown + "\"");
    }
    key_buf.clear();
    st.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::json::error_code&) {
    number_buf.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    number_buf.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    number_buf.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double, boost::json::string_view s, boost::json::error_code& ec) {
    number_buf.append(s.data(), s.size());
    // Re-read with a correctly rounded conversion: every party must agree on the double.
    double d = 0;
    const char* first = number_buf.data();
    const char* last = first + number_buf.size();
    auto [ptr, err] = std::from_chars(first, last, d);
    if (err != std::errc() || ptr != last || !std::isfinite(d)) {
      return Fail(ec, "number out of range");
    }
    number_buf.clear();
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }
};

std::string DescribeBoostError(const boost::json::error_code& ec, std::string_view text, std::size_t offset) {
  if (ec == boost::json::error::too_deep) return "nesting too deep";
  if (ec == boost::json::error::illegal_leading_surrogate || ec == boost::json::error::illegal_trailing_surrogate ||
      ec == boost::json::error::expected_utf16_escape) {
    return "lone surrogate escape";
  }
  if (ec == boost::json::error::exponent_overflow) return "number out of range";
  if (ec == boost::json::error::extra_data) return "data after the JSON value";
  if (ec == boost::json::error::incomplete) return "unexpected end of input";
  // "\ud800" followed by anything but a low surrogate escape ends in a syntax error.
  if (offset >= 6) {
    std::string_view prev = text.substr(offset - 6, 6);
    if (prev[0] == '\\' && prev[1] == 'u' && (prev[2] == 'd' || prev[2] == 'D') &&
        std::string_view("89abAB").find(prev[3]) != std::string_view::npos) {
      return "lone surrogate escape";
    }
  }
  if (offset < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[offset]);
    if (c >= 0x80) return "invalid UTF-8";
    std::string_view rest = text.substr(offset);
    if (rest.starts_with("NaN") || rest.starts_with("Infinity") || rest.starts_with("-Infinity") || rest.starts_with("-NaN")) {
      return "NaN and Infinity are not JSON";
    }
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return "control character";
  }
  return ec.message();
}

}  // namespace

Result<Value> ParseJson(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return ResourceExhaustedError("JSON: input of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                                  std::to_string(limits.max_bytes));
  }
  boost::json::parse_options opts;
  opts.max_depth = limits.max_depth;
  boost::json::basic_parser<Handler> parser(opts);
  parser.handler().st.reset();
  boost::json::error_code ec;
  std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed != text.size()) ec = boost::json::error::extra_data;
  if (ec) {
    const std::string& problem = parser.handler().problem;
    std::string why = problem.empty() ? DescribeBoostError(ec, text, consumed) : problem;
    return InvalidArgumentError("JSON: " + why + " at byte " + std::to_string(consumed));
  }
  return parser.handler().st.release();
}

Result<Object> ParseJsonObject(std::string_view text, const ParseLimits& limits) {
  AIP_ASSIGN_OR_RETURN(Value v, ParseJson(text, limits));
  if (!v.is_object()) return InvalidArgumentError("JSON: expected an object at the top level");
  return std::move(v.as_object());
}

std::string Serialize(const Value& value) { return SerializeCompact(value); }

std::optional<std::string_view> OptionalString(const Object& obj, std::string_view key) {
  const Value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

}  // namespace aip::json
