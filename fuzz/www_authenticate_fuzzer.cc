// WWW-Authenticate headers come from servers the client does not trust yet.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aip/oauth/www_authenticate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto challenges = aip::oauth::ParseWwwAuthenticate(std::string_view(reinterpret_cast<const char*>(data), size));
  if (challenges) (void)aip::oauth::FindChallenge(*challenges, "bearer");
  return 0;
}
