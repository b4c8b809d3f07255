// Policy files are parsed from TOML an operator may have copied from anywhere: parsing never
// crashes or runs away, and an accepted policy evaluates a request without crashing.
#include <cstdint>
#include <string_view>

#include "aip/policy/policy.h"
#include "aip/policy/rate_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = aip::policy::Policy::FromToml(text, "fuzz.toml");
  if (!policy) return 0;
  static const aip::json::Object args = *aip::json::ParseJsonObject(R"({"project":"project-a","amount":"5000","n":[1,{"x":2}]})");
  aip::authn::Principal p;
  p.kind = aip::authn::Principal::Kind::kAgent;
  p.id = "did:key:z6MkAlice";
  auto d = policy->Evaluate(aip::policy::Request{&p, "tasks", "tools/call", "list_tasks", &args});
  if (d.allow && d.rule_id.empty()) __builtin_trap();  // Only a rule can allow.
  if (!policy->MayList(aip::policy::Request{&p, "tasks", "tools/call", "list_tasks", nullptr}) && d.allow) __builtin_trap();
  if (auto doc = aip::toml::Parse(text, "fuzz.toml")) {
    if (auto limits = aip::policy::RateLimits::FromDocument(*doc))
      (void)limits->Take(aip::policy::Request{&p, "t", "tools/call", "x", &args});
  }
  return 0;
}
