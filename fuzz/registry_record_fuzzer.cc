// Registry records arrive from anyone: registrations, key rotations and deactivations posted by
// clients, whole pages of records served by federation peers, and identity histories a verifier
// reads back. Every parser runs on hostile input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/registry/agent_record.h"
#include "aip/identity/deactivation.h"
#include "aip/identity/key_rotation.h"
#include "aip/registry/federation.h"
#include "aip/registry/registry_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  aip::TimePoint now(std::chrono::seconds(1'800'000'000));
  if (auto page = aip::registry::ParseRecordPage(text, 0, 500)) {
    for (const auto& r : *page) (void)aip::registry::VerifyRegistration(r.document, now);
  }
  if (auto doc = aip::json::ParseJsonObject(text)) {
    (void)aip::registry::VerifyRegistration(*doc, now);
    (void)aip::registry::VerifyIdentityAnswer("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", *doc);
    aip::json::Value value(*doc);
    if (auto r = aip::identity::KeyRotation::FromJson(value)) (void)r->Verify();
    if (auto d = aip::identity::Deactivation::FromJson(value)) (void)d->Verify();
  }
  return 0;
}
