// The audit log verifier reads files anyone with access to the disk may have written: any bytes
// give a report or an error naming a line, never a crash; a line's MAC check never accepts a
// line the key did not MAC. Also the display-text check (UTF-8 decoding) on the same bytes.
#include <cstdint>
#include <string_view>

#include "aip/base/display_text.h"
#include "aip/gateway/audit_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)aip::gateway::VerifyAuditLog(text);
  static const aip::crypto::HmacSha256Key key(aip::ByteSpan(reinterpret_cast<const std::uint8_t*>("fuzz-key"), 8));
  if (aip::gateway::HasValidLineMac(key, text)) __builtin_trap();  // A MAC by this key is not guessable.
  std::string_view line = text.substr(0, text.find('\n'));
  // WithLineMac takes an object with a member (every audit line has several): "{}" is not one.
  if (line.size() > 2 && line.front() == '{' && line.back() == '}' &&
      !aip::gateway::HasValidLineMac(key, aip::gateway::WithLineMac(key, line))) {
    __builtin_trap();
  }
  (void)aip::UnsafeDisplayCharacter(text);
  return 0;
}
