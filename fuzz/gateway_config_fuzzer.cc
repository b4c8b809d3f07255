// The gateway configuration reader on hostile input: it refuses or accepts without undefined
// behaviour, and an accepted configuration's policy evaluates a request.
#include <cstdint>
#include <string_view>

#include "aip/gateway/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = aip::gateway::ParseConfig(text, "fuzz.toml", "/nonexistent-aip-fuzz");
  if (cfg) {
    aip::json::Object args;
    (void)cfg->policy->Evaluate(aip::policy::Request{nullptr, "u", "tools/call", "t", &args});
    (void)cfg->limits->Take(aip::policy::Request{nullptr, "u", "tools/call", "t", &args});
  }
  return 0;
}
