#include "aip/base/field_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "aip/base/clock.h"
#include "aip/base/json_pointer.h"

namespace aip::json {
namespace {

std::string FormatNumber(double d) { return Serialize(Value(d)); }

}  // namespace

std::string FieldReader::PathOf(std::string_view key) const { return path_ + "/" + EscapePointerToken(key); }

Error FieldReader::FailAt(const std::string& pointer, std::string_view problem) const {
  return InvalidArgumentError((describe_ ? (*describe_)(pointer) : pointer) + ": " + std::string(problem));
}

Error FieldReader::Fail(std::string_view key, std::string_view problem) const { return FailAt(PathOf(key), problem); }

Error FieldReader::FailHere(std::string_view problem) const { return FailAt(path_, problem); }

Status FieldReader::String(std::string_view key, std::string& out, Need need, std::size_t max_bytes) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_string()) return Fail(key, "must be a string");
  if (v->get_string().size() > max_bytes) return Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
  out = std::string(v->get_string());
  return OkStatus();
}

Status FieldReader::ObjectMember(std::string_view key, const Object*& out, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr || v->is_null()) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_object()) return Fail(key, "must be an object");
  out = &v->get_object();
  return OkStatus();
}

Status FieldReader::Int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  bool in_range = v->is_int64() ? v->get_int64() >= min && v->get_int64() <= max
                                : v->is_uint64() && max >= 0 && v->get_uint64() <= static_cast<std::uint64_t>(max) && min <= 0;
  if (!in_range) {
    return Fail(key, "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  out = v->is_int64() ? v->get_int64() : static_cast<std::int64_t>(v->get_uint64());
  return OkStatus();
}

Status FieldReader::Number(std::string_view key, double& out, double min, double max, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_number()) return Fail(key, "must be a number in [" + FormatNumber(min) + ", " + FormatNumber(max) + "]");
  double d = v->is_double() ? v->get_double() : v->is_int64() ? static_cast<double>(v->get_int64()) : static_cast<double>(v->get_uint64());
  if (!std::isfinite(d) || d < min || d > max) {
    return Fail(key, "must be a number in [" + FormatNumber(min) + ", " + FormatNumber(max) + "]");
  }
  out = d;
  return OkStatus();
}

Status FieldReader::Bool(std::string_view key, bool& out, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_bool()) return Fail(key, "must be true or false");
  out = v->get_bool();
  return OkStatus();
}

Status FieldReader::Strings(std::string_view key, std::vector<std::string>& out, Need need, std::size_t max_items,
                            std::size_t max_bytes) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_array()) return Fail(key, "must be an array of strings");
  if (v->get_array().size() > max_items) return Fail(key, "has more than " + std::to_string(max_items) + " items");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    const Value& item = v->get_array()[i];
    auto where = [&] { return PathOf(key) + "/" + std::to_string(i); };  // Built only for an error.
    if (!item.is_string()) return FailAt(where(), "must be a string");
    if (item.get_string().size() > max_bytes) return FailAt(where(), "is longer than " + std::to_string(max_bytes) + " bytes");
    items.emplace_back(item.get_string());
  }
  out = std::move(items);
  return OkStatus();
}

Result<std::optional<FieldReader>> FieldReader::Nested(std::string_view key, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) {
    if (need == Need::kRequired) return Fail(key, "is required");
    return std::optional<FieldReader>();
  }
  if (!v->is_object()) return Fail(key, "must be an object");
  return std::optional<FieldReader>(FieldReader(v->get_object(), PathOf(key), describe_));
}

Result<std::vector<FieldReader>> FieldReader::Items(std::string_view key, Need need, std::size_t max_items) const {
  const Value* v = object_.if_contains(key);
  std::vector<FieldReader> out;
  if (v == nullptr) {
    if (need == Need::kRequired) return Fail(key, "is required");
    return out;
  }
  if (!v->is_array()) return Fail(key, "must be an array of objects");
  if (v->get_array().size() > max_items) return Fail(key, "has more than " + std::to_string(max_items) + " items");
  for (std::size_t i = 0; i < v->get_array().size(); ++i) {
    std::string where = PathOf(key) + "/" + std::to_string(i);
    if (!v->get_array()[i].is_object()) return FailAt(where, "must be an object");
    out.emplace_back(v->get_array()[i].get_object(), std::move(where), describe_);
  }
  return out;
}

Status FieldReader::Duration(std::string_view key, std::chrono::milliseconds& out, Need need) const {
  std::string text;
  AIP_RETURN_IF_ERROR(String(key, text, need, 32));
  if (!Has(key)) return OkStatus();
  auto bad = [&] { return Fail(key, "must be a duration such as \"30s\" (ms, s, m, h or d)"); };
  if (text.ends_with("ms")) {
    std::int64_t n = 0;
    std::string_view digits = std::string_view(text).substr(0, text.size() - 2);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || p != digits.data() + digits.size() || n <= 0) return bad();
    out = std::chrono::milliseconds(n);
    return OkStatus();
  }
  auto d = ParseDuration(text);
  if (!d || d->count() <= 0) return bad();
  out = *d;
  return OkStatus();
}

Status FieldReader::ByteSize(std::string_view key, std::uint64_t& out, Need need) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (v->is_int64() && v->get_int64() >= 0) {
    out = static_cast<std::uint64_t>(v->get_int64());
    return OkStatus();
  }
  auto bad = [&] { return Fail(key, "must be a size such as \"256MiB\" (B, KiB, MiB or GiB)"); };
  if (!v->is_string()) return bad();
  std::string_view text = v->get_string();
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p == text.data()) return bad();
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  int shift = unit == "B" || unit.empty() ? 0 : unit == "KiB" ? 10 : unit == "MiB" ? 20 : unit == "GiB" ? 30 : -1;
  if (shift < 0 || n > (std::uint64_t{1} << (50 - shift))) return bad();
  out = n << shift;
  return OkStatus();
}

Status FieldReader::OnlyFields(std::initializer_list<std::string_view> allowed) const {
  for (const auto& kv : object_) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      std::string_view near = NearestName(kv.key(), allowed);
      return Fail(kv.key(), near.empty() ? "unknown field" : "unknown field (did you mean \"" + std::string(near) + "\"?)");
    }
  }
  return OkStatus();
}

std::string_view NearestName(std::string_view typo, std::initializer_list<std::string_view> names) {
  // Levenshtein distance, bounded: names are short, and a name more than two edits away is a
  // guess, not a correction.
  constexpr std::size_t kMaxEdits = 2;
  if (typo.size() > 64) return {};
  std::string_view best;
  std::size_t best_distance = kMaxEdits + 1;
  std::vector<std::size_t> row, prev;
  for (std::string_view name : names) {
    std::size_t gap = name.size() > typo.size() ? name.size() - typo.size() : typo.size() - name.size();
    if (name.size() > 64 || gap > kMaxEdits) continue;
    prev.resize(name.size() + 1);
    row.resize(name.size() + 1);
    for (std::size_t j = 0; j <= name.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= typo.size(); ++i) {
      row[0] = i;
      for (std::size_t j = 1; j <= name.size(); ++j) {
        std::size_t substitute = prev[j - 1] + (typo[i - 1] == name[j - 1] ? 0 : 1);
        row[j] = std::min({prev[j] + 1, row[j - 1] + 1, substitute});
      }
      std::swap(row, prev);
    }
    if (prev[name.size()] < best_distance) {
      best_distance = prev[name.size()];
      best = name;
    }
  }
  return best;
}

}  // namespace aip::json
