#include "aip/base/field_reader.h"

#include <algorithm>
#include <cmath>

namespace aip::json {
namespace {

std::string FormatNumber(double d) { return Serialize(Value(d)); }

}  // namespace

std::string FieldReader::PathOf(std::string_view key) const {
  std::string p = path_ + "/";
  for (char c : key) {
    if (c == '~')
      p += "~0";
    else if (c == '/')
      p += "~1";
    else
      p += c;
  }
  return p;
}

Error FieldReader::Fail(std::string_view key, std::string_view problem) const {
  return InvalidArgumentError(PathOf(key) + ": " + std::string(problem));
}

Status FieldReader::String(std::string_view key, std::string& out, Need need, std::size_t max_bytes) const {
  const Value* v = object_.if_contains(key);
  if (v == nullptr) return need == Need::kRequired ? Status(Fail(key, "is required")) : OkStatus();
  if (!v->is_string()) return Fail(key, "must be a string");
  if (v->get_string().size() > max_bytes) return Fail(key, "is longer than " + std::to_string(max_bytes) + " bytes");
  out = std::string(v->get_string());
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
    std::string where = PathOf(key) + "/" + std::to_string(i);
    if (!item.is_string()) return InvalidArgumentError(where + ": must be a string");
    if (item.get_string().size() > max_bytes)
      return InvalidArgumentError(where + ": is longer than " + std::to_string(max_bytes) + " bytes");
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
  return std::optional<FieldReader>(FieldReader(v->get_object(), PathOf(key)));
}

Status FieldReader::OnlyFields(std::initializer_list<std::string_view> allowed) const {
  for (const auto& kv : object_) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end()) {
      return Fail(kv.key(), "unknown field");
    }
  }
  return OkStatus();
}

}  // namespace aip::json
