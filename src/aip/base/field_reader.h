// FieldReader reads the members of an untrusted (or configuration) JSON object the one way: each
// getter checks the type and a bound, a missing required member is an error, OnlyFields refuses
// members nobody asked for, and every error names the member by its JSON Pointer
// ("/upstream/0/timeout: must be an integer in [1, 600]"). Readers of nested objects carry the
// path on. Nothing throws; every call returns Status.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aip/base/json.h"
#include "aip/base/status.h"

namespace aip::json {

enum class Need { kOptional, kRequired };

// Describe turns a member's JSON Pointer into the words its error starts with. Without one the
// pointer is those words; a configuration file's says where the member is written
// ("gateway.toml:12: gateway.listen", toml::Describer).
using Describe = std::function<std::string(std::string_view pointer)>;

class FieldReader {
 public:
  explicit FieldReader(const Object& object, std::string path = "", std::shared_ptr<const Describe> describe = nullptr)
      : object_(object), path_(std::move(path)), describe_(std::move(describe)) {}

  // Each getter leaves `out` unchanged when the member is absent and optional.
  Status String(std::string_view key, std::string& out, Need need = Need::kOptional, std::size_t max_bytes = 4096) const;
  Status Int(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max, Need need = Need::kOptional) const;
  Status Number(std::string_view key, double& out, double min, double max, Need need = Need::kOptional) const;
  Status Bool(std::string_view key, bool& out, Need need = Need::kOptional) const;
  Status Strings(std::string_view key, std::vector<std::string>& out, Need need = Need::kOptional, std::size_t max_items = 1024,
                 std::size_t max_bytes = 4096) const;
  // IntAs reads an integer into a narrower (or unsigned) type; [min, max] must fit it.
  template <typename T>
  Status IntAs(std::string_view key, T& out, std::int64_t min, std::int64_t max, Need need = Need::kOptional) const {
    std::int64_t v = 0;
    bool present = object_.contains(key);
    Status st = Int(key, v, min, max, need);
    if (st.ok() && present) out = static_cast<T>(v);
    return st;
  }
  // Duration reads "250ms", "30s", "5m", "1h" or "7d" (a positive count and one unit).
  Status Duration(std::string_view key, std::chrono::milliseconds& out, Need need = Need::kOptional) const;
  // ByteSize reads a count of bytes: an integer, or a string such as "512KiB", "256MiB", "2GiB".
  Status ByteSize(std::string_view key, std::uint64_t& out, Need need = Need::kOptional) const;
  // ObjectMember points `out` at the member's object, which stays owned by the object read; an
  // absent or null member leaves it unchanged (null is how JSON APIs write "none").
  Status ObjectMember(std::string_view key, const Object*& out, Need need = Need::kOptional) const;
  bool Has(std::string_view key) const { return object_.contains(key); }
  const Object& object() const { return object_; }

  // Nested returns a reader of the member's object (nullopt when absent and optional).
  Result<std::optional<FieldReader>> Nested(std::string_view key, Need need = Need::kOptional) const;
  // Items reads an array of objects: a reader for each (none when absent and optional).
  Result<std::vector<FieldReader>> Items(std::string_view key, Need need = Need::kOptional, std::size_t max_items = 1024) const;
  // OnlyFields refuses the first member whose name is not in `allowed`, suggesting the allowed
  // name nearest a typo ("unknown field (did you mean \"anchors\"?)").
  Status OnlyFields(std::initializer_list<std::string_view> allowed) const;

  // PathOf is the member's JSON Pointer (RFC 6901: "~" and "/" escaped).
  std::string PathOf(std::string_view key) const;
  const std::string& path() const { return path_; }
  // Fail is an error about member `key`, for checks a getter cannot make; FailHere is one about
  // the object itself.
  Error Fail(std::string_view key, std::string_view problem) const;
  Error FailHere(std::string_view problem) const;

 private:
  Error FailAt(const std::string& pointer, std::string_view problem) const;

  const json::Object& object_;
  std::string path_;
  std::shared_ptr<const Describe> describe_;
};

// NearestName returns the name in `names` within two edits of `typo` (the nearest), or "".
std::string_view NearestName(std::string_view typo, std::initializer_list<std::string_view> names);

}  // namespace aip::json
