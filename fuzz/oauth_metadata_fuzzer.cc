// OAuth discovery documents (RFC 8414, RFC 9728) come from servers a client has only just been
// pointed at; token claims and introspection answers from issuers. Reading never crashes; what is
// accepted keeps the bounds the readers promise.
#include <cstdint>
#include <string_view>

#include "aip/base/json.h"
#include "aip/oauth/bearer_authenticator.h"
#include "aip/oauth/metadata.h"

namespace {

void CheckBounded(const std::vector<std::string>& items, std::size_t max_bytes) {
  if (items.size() > 256) __builtin_trap();
  for (const auto& i : items)
    if (i.size() > max_bytes) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = aip::json::ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc || !doc->is_object()) return 0;
  if (auto as = aip::oauth::ReadAuthorizationServer(doc->get_object())) {
    for (const std::string* url :
         {&as->issuer, &as->authorization_endpoint, &as->token_endpoint, &as->registration_endpoint, &as->jwks_uri})
      if (url->size() > 2048) __builtin_trap();
    CheckBounded(as->scopes_supported, 256);
    CheckBounded(as->code_challenge_methods_supported, 256);
    CheckBounded(as->token_endpoint_auth_methods_supported, 256);
  }
  if (auto pr = aip::oauth::ReadProtectedResource(doc->get_object())) {
    if (pr->resource.size() > 2048) __builtin_trap();
    CheckBounded(pr->authorization_servers, 2048);
    CheckBounded(pr->scopes_supported, 256);
  }
  if (auto holder = aip::oauth::ReadTokenHolder(doc->get_object())) {
    if (holder->principal.subject.empty() || holder->principal.actor_chain.size() > 8) __builtin_trap();
    CheckBounded(holder->principal.roles, 1024);
  }
  return 0;
}
