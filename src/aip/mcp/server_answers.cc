#include "aip/mcp/server_answers.h"

#include "aip/base/field_reader.h"
#include "aip/mcp/protocol.h"
#include "aip/mcp/request_params.h"

namespace aip::mcp {
namespace {

constexpr std::size_t kMaxVersions = 64;  // Versions and cursors share request_params.h's bounds.

// CopyObject copies an optional object member (absent or null: left empty).
Status CopyObject(const json::FieldReader& r, std::string_view key, json::Object& out) {
  const json::Object* found = nullptr;
  AIP_RETURN_IF_ERROR(r.ObjectMember(key, found));
  if (found != nullptr) out = *found;
  return OkStatus();
}

}  // namespace

Result<Discovery> ReadDiscovery(const json::Object& result) {
  json::FieldReader r(result);
  Discovery d;
  AIP_RETURN_IF_ERROR(r.Strings("supportedVersions", d.supported_versions, json::Need::kRequired, kMaxVersions, kMaxVersionBytes));
  AIP_RETURN_IF_ERROR(CopyObject(r, "capabilities", d.capabilities));
  AIP_ASSIGN_OR_RETURN(auto meta, r.Nested("_meta"));
  if (meta) AIP_RETURN_IF_ERROR(CopyObject(*meta, kMetaServerInfo, d.server_info));
  return d;
}

Result<Initialized> ReadInitialized(const json::Object& result) {
  json::FieldReader r(result);
  Initialized i;
  AIP_RETURN_IF_ERROR(r.String("protocolVersion", i.protocol_version, json::Need::kRequired, kMaxVersionBytes));
  AIP_RETURN_IF_ERROR(CopyObject(r, "capabilities", i.capabilities));
  AIP_RETURN_IF_ERROR(CopyObject(r, "serverInfo", i.server_info));
  return i;
}

Result<Page> ReadPage(const json::Object& result, std::string_view key) {
  json::FieldReader r(result);
  Page page;
  const json::Value* items = result.if_contains(key);
  if (items == nullptr) return r.Fail(key, "is required");
  if (!items->is_array()) return r.Fail(key, "must be an array");
  page.items = &items->get_array();
  if (const json::Value* next = result.if_contains("nextCursor"); next == nullptr || !next->is_null()) {
    AIP_RETURN_IF_ERROR(r.String("nextCursor", page.next_cursor, json::Need::kOptional, kMaxCursorBytes));
  }
  return page;
}

Result<std::optional<InputAsked>> ReadInputRequired(const json::Object& result) {
  json::FieldReader r(result);
  std::string type;
  AIP_RETURN_IF_ERROR(r.String("resultType", type, json::Need::kOptional, 64));
  if (type != "input_required") return std::optional<InputAsked>();
  InputAsked out;
  AIP_RETURN_IF_ERROR(r.ObjectMember("inputRequests", out.input_requests, json::Need::kRequired));
  if (r.Has("requestState")) {
    std::string state;
    AIP_RETURN_IF_ERROR(r.String("requestState", state, json::Need::kRequired, kMaxRequestStateBytes));
    out.request_state = std::move(state);
  }
  return std::optional<InputAsked>(out);
}

std::map<std::string, json::Object> ToolSchemas(const json::Array& tools, std::size_t max_tools) {
  std::map<std::string, json::Object> out;
  for (const auto& t : tools) {
    if (out.size() >= max_tools) break;
    if (!t.is_object()) continue;
    json::FieldReader r(t.get_object());
    std::string name;
    const json::Object* schema = nullptr;
    if (r.String("name", name, json::Need::kRequired, kMaxNameBytes).ok() &&
        r.ObjectMember("inputSchema", schema, json::Need::kRequired).ok()) {
      out[std::move(name)] = *schema;
    }
  }
  return out;
}

std::string ErrorText(const json::Object& error) {
  const json::Value* code = error.if_contains("code");
  const json::Value* msg = error.if_contains("message");
  return (code != nullptr && code->is_int64() ? std::to_string(code->get_int64()) : "?") + ": " +
         (msg != nullptr && msg->is_string() ? std::string(msg->get_string()) : "error");
}

}  // namespace aip::mcp
