// DPoP proofs (RFC 9449) arrive in a header the caller writes: a compact JWS parsed, its header
// JWK imported, its claims checked against the request and the access token.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/authn/replay_cache.h"
#include "aip/oauth/dpop.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view proof(reinterpret_cast<const char*>(data), size);
  aip::oauth::DpopOptions o;
  o.replay = std::make_shared<aip::authn::InMemoryReplayCache>(16);
  (void)aip::oauth::VerifyDpopProof(proof, "POST", "https://gw.example.com/mcp", "an-access-token", o);
  return 0;
}
