// Registry records arrive from anyone: registrations posted by clients, and whole pages of records
// served by federation peers. Both parsers run on hostile input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/registry/agent_record.h"
#include "aip/registry/federation.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  aip::TimePoint now(std::chrono::seconds(1'800'000'000));
  if (auto page = aip::registry::ParseRecordPage(text, 0, 500)) {
    for (const auto& r : *page) (void)aip::registry::VerifyRegistration(r.document, now);
  }
  if (auto doc = aip::json::ParseJsonObject(text)) (void)aip::registry::VerifyRegistration(*doc, now);
  return 0;
}
