#include "aip/oauth/form.h"

#include "aip/base/encoding.h"

namespace aip::oauth {

std::string BasicAuthorization(std::string_view client_id, const crypto::SecretBytes& secret) {
  std::string credentials = FormEncode(client_id) + ":" + FormEncode(AsStringView(secret.RevealSecret()));
  std::string header = "Basic " + Base64Encode(AsBytes(credentials));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(credentials.data()), credentials.size()));
  return header;
}

}  // namespace aip::oauth
