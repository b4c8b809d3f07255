#include "aip/pins/definition_pin.h"

#include "aip/base/encoding.h"
#include "aip/base/jcs.h"
#include "aip/base/json_pointer.h"
#include "aip/crypto/sha.h"

namespace aip::pins {
namespace {

void DiffInto(const json::Value& before, const json::Value& after, const std::string& at, std::vector<FieldChange>& out, std::size_t& extra,
              std::size_t max) {
  auto add = [&](std::string pointer, const char* change) {
    if (out.size() < max) {
      out.push_back({std::move(pointer), change});
    } else {
      ++extra;
    }
  };
  if (before.is_object() && after.is_object()) {
    const json::Object& b = before.get_object();
    const json::Object& a = after.get_object();
    for (const auto& kv : b) {
      std::string here = at + "/" + json::EscapePointerToken(kv.key());
      const json::Value* other = a.if_contains(kv.key());
      if (other == nullptr) {
        add(here, "removed");
      } else {
        DiffInto(kv.value(), *other, here, out, extra, max);
      }
    }
    for (const auto& kv : a) {
      if (!b.contains(kv.key())) add(at + "/" + json::EscapePointerToken(kv.key()), "added");
    }
    return;
  }
  if (before.is_array() && after.is_array()) {
    const json::Array& b = before.get_array();
    const json::Array& a = after.get_array();
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      std::string here = at + "/" + std::to_string(i);
      if (i >= a.size()) {
        add(here, "removed");
      } else if (i >= b.size()) {
        add(here, "added");
      } else {
        DiffInto(b[i], a[i], here, out, extra, max);
      }
    }
    return;
  }
  if (before != after) add(at.empty() ? "" : at, "changed");
}

}  // namespace

Result<std::string> DefinitionHash(const json::Object& definition) {
  const json::Value* meta = definition.if_contains("_meta");
  bool strip = false;
  if (meta != nullptr && meta->is_object()) {
    for (std::string_view key : kExcludedMetaKeys) strip = strip || meta->get_object().contains(key);
  }
  Result<std::string> canonical = InternalError("");
  if (strip) {
    json::Object copy = definition;
    json::Object& m = copy["_meta"].as_object();
    for (std::string_view key : kExcludedMetaKeys) m.erase(key);
    if (m.empty()) copy.erase("_meta");
    canonical = json::Canonicalize(copy);
  } else {
    canonical = json::Canonicalize(definition);
  }
  if (!canonical) return InvalidArgumentError("definition cannot be pinned: " + canonical.error().message);
  auto digest = crypto::Sha256(AsBytes(std::string_view(*canonical)));
  return "sha-256:" + HexEncode(digest);
}

std::vector<FieldChange> Diff(const json::Value& before, const json::Value& after, std::size_t max) {
  std::vector<FieldChange> out;
  std::size_t extra = 0;
  DiffInto(before, after, "", out, extra, max);
  if (extra > 0) out.push_back({"…", std::to_string(extra) + " more"});
  return out;
}

}  // namespace aip::pins
