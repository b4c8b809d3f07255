// JSON-RPC envelope parsing never crashes; what it accepts re-serializes to a message that
// parses to the same kind. The readers of what is inside (a request's params, a server's
// answers) never crash either, and what they accept keeps their bounds.
#include <cstdint>
#include <string_view>

#include "aip/mcp/jsonrpc.h"
#include "aip/mcp/request_params.h"
#include "aip/mcp/server_answers.h"

namespace {

void ReadParams(const aip::json::Object& p) {
  using namespace aip::mcp;
  if (auto c = ReadNamedCall(p); c.ok() && c->name.size() > kMaxNameBytes) __builtin_trap();
  if (auto u = ReadUri(p); u.ok() && u->size() > kMaxUriBytes) __builtin_trap();
  if (auto c = ReadCompletion(p); c.ok() && (c->argument == nullptr || (c->type != "ref/prompt" && c->type != "ref/resource"))) {
    __builtin_trap();
  }
  (void)ReadInitialize(p);
  (void)ReadLogLevel(p);
  if (auto c = ReadCursor(p); c.ok() && *c && (*c)->size() > kMaxCursorBytes) __builtin_trap();
  (void)ReadContinuation(p);
}

void ReadAnswers(const aip::json::Object& result) {
  using namespace aip::mcp;
  (void)ReadDiscovery(result);
  (void)ReadInitialized(result);
  for (std::string_view key : {"tools", "prompts", "resources"}) {
    if (auto page = ReadPage(result, key); page.ok() && page->items == nullptr) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = aip::mcp::ParseMessage(text, 1 << 20);
  if (auto* m = std::get_if<aip::mcp::Message>(&parsed)) {
    auto again = aip::mcp::ParseMessage(aip::json::Serialize(aip::mcp::ToJson(*m)), 1 << 20);
    auto* m2 = std::get_if<aip::mcp::Message>(&again);
    if (m2 == nullptr || m2->index() != m->index()) __builtin_trap();
    if (auto* r = std::get_if<aip::mcp::Request>(m)) ReadParams(r->params);
    if (auto* r = std::get_if<aip::mcp::Response>(m); r != nullptr && r->result.is_object()) ReadAnswers(r->result.get_object());
  }
  return 0;
}
