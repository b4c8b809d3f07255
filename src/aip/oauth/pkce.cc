#include "aip/oauth/pkce.h"

#include "aip/base/encoding.h"
#include "aip/crypto/random.h"
#include "aip/crypto/sha.h"

namespace aip::oauth {

std::string S256Challenge(std::string_view verifier) { return Base64UrlEncode(crypto::Sha256(AsBytes(verifier))); }

Pkce NewPkce() {
  Pkce p;
  p.verifier = Base64UrlEncode(crypto::RandomBytes(32));
  p.challenge = S256Challenge(p.verifier);
  return p;
}

std::string RandomState() { return Base64UrlEncode(crypto::RandomBytes(32)); }

}  // namespace aip::oauth
