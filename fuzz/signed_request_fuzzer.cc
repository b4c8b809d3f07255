// Every signed call a server or gateway receives goes through VerifyRequest, on bytes the caller
// chose: strict parse, then every check of docs/protocol.md. No input may crash it or be accepted
// but the worked example's own proof (docs/protocol.md), whose key the fuzzer does not hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "aip/base/json.h"
#include "aip/mcpsig/authenticator.h"
#include "aip/mcpsig/request_proof.h"

namespace {
class FixedClock final : public aip::Clock {
 public:
  aip::TimePoint Now() const override { return aip::TimePoint(std::chrono::seconds(1'795'341'630)); }  // 2026-11-22T10:00:30Z
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto request = aip::json::ParseJsonObject(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!request) return 0;
  static const auto resolver = aip::mcpsig::DefaultResolver();
  // A fixed clock inside the corpus proofs' windows, so the signature check is reached.
  static const FixedClock clock;
  aip::mcpsig::VerifyOptions o{
      {"https://tasks.example.com/mcp"}, resolver, std::make_shared<aip::authn::InMemoryReplayCache>(16), std::chrono::seconds(60), &clock};
  auto r = aip::mcpsig::VerifyRequest(*request, o);
  if (std::holds_alternative<aip::authn::Principal>(r)) {
    // Only the worked example's own bytes may verify: anything else accepted is a forgery.
    if (std::get<aip::authn::Principal>(r).did != "did:key:z6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd") std::abort();
  }
  (void)aip::mcpsig::DigestOfRequest(*request);
  return 0;
}
