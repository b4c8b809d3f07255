// FieldReader reads the members of an untrusted (or configuration) JSON object the one way: each
// getter checks the type and a bound, a missing required member is an error, OnlyFields refuses
// members nobody asked for, and every error names the member by its JSON Pointer
// ("/upstream/0/timeout: must be an integer in [1, 600]"). Readers of nested objects carry the
// path on. Nothing throws; every call returns Status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::json {

enum class Need { kOptional, kRequired };

class FieldReader {
 public:
  explicit FieldReader(const Object& object, std::string path = "") : object_(object), path_(std::move(path)) {}

  // Each getter leaves `out` unchanged when the member is absent and optional.
  Status String(std::string_view key, std::string& out, Need need = Need::kOptional, std::size_t max_bytes = 4096) const;
  Status Int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max, Need need = Need::kOptional) const;
  Status Number(std::string_view key, double& out, double min, double max, Need need = Need::kOptional) const;
  Status Bool(std::string_view key, bool& out, Need need = Need::kOptional) const;
  Status Strings(std::string_view key, std::vector<std::string>& out, Need need = Need::kOptional, std::size_t max_items = 1024,
                 std::size_t max_bytes = 4096) const;
  // Nested returns a reader of the member's object (nullopt when absent and optional).
  Result<std::optional<FieldReader>> Nested(std::string_view key, Need need = Need::kOptional) const;
  // OnlyFields refuses the first member whose name is not in `allowed`.
  Status OnlyFields(std::initializer_list<std::string_view> allowed) const;

  // PathOf is the member's JSON Pointer (RFC 6901: "~" and "/" escaped).
  std::string PathOf(std::string_view key) const;
  const std::string& path() const { return path_; }
  // Fail is an error about member `key`, for checks a getter cannot make.
  Error Fail(std::string_view key, std::string_view problem) const;

 private:
  const json::Object& object_;
  std::string path_;
};

}  // namespace aip::json
