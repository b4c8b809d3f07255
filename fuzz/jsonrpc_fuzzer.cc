// JSON-RPC envelope parsing never crashes; what it accepts re-serializes to a message that
// parses to the same kind.
#include <cstdint>
#include <string_view>

#include "aip/mcp/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = aip::mcp::ParseMessage(text, 1 << 20);
  if (auto* m = std::get_if<aip::mcp::Message>(&parsed)) {
    auto again = aip::mcp::ParseMessage(aip::json::Serialize(aip::mcp::ToJson(*m)), 1 << 20);
    auto* m2 = std::get_if<aip::mcp::Message>(&again);
    if (m2 == nullptr || m2->index() != m->index()) __builtin_trap();
  }
  return 0;
}
