// PKCE (RFC 7636) with S256 only: the client keeps a random verifier and sends its SHA-256 as
// the challenge, so a stolen authorization code is useless without the verifier.
#pragma once

#include <string>
#include <string_view>

namespace aip::oauth {

struct Pkce {
  std::string verifier;   // 43 characters of base64url (32 random bytes).
  std::string challenge;  // base64url(SHA-256(verifier)).
};

Pkce NewPkce();
std::string S256Challenge(std::string_view verifier);

// RandomState is an unguessable value (256 bits, base64url) for the authorization request's
// `state`, which ties the redirect to this login.
std::string RandomState();

}  // namespace aip::oauth
