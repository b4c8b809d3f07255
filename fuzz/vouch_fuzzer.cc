// Vouches, revocations and Python AIP vouches arrive from other agents: every import parses them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/trust/legacy_vouch.h"
#include "aip/trust/vouch.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = aip::json::ParseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc) return 0;
  (void)aip::trust::VerifyVouch(*doc);
  (void)aip::trust::VerifyRevocation(*doc);
  (void)aip::trust::ImportLegacyVouch(*doc, aip::TimePoint(std::chrono::seconds(1'800'000'000)));
  return 0;
}
