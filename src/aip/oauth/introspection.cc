#include "aip/oauth/introspection.h"

#include "aip/base/encoding.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<json::Object> Introspector::Introspect(std::string_view token, const jose::JwtCheck& check) const {
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(options_.endpoint));
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(options_.endpoint));
  net::HttpClient client(url, options_.http);
  net::Headers h;
  h.Set("content-type", "application/x-www-form-urlencoded");
  h.Set("accept", "application/json");
  // RFC 6749 §2.3.1: client id and secret are form-encoded before going into Basic.
  auto secret = options_.client_secret.RevealSecret();
  std::string credentials = FormEncode(options_.client_id) + ":" + FormEncode(AsStringView(secret));
  h.Set("authorization", "Basic " + Base64Encode(AsBytes(credentials)));
  crypto::SecureWipe(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(credentials.data()), credentials.size()));
  std::string body = "token=" + FormEncode(token) + "&token_type_hint=access_token";
  auto res = client.Send("POST", url.target, h, body);
  if (!res) return UnavailableError("introspection: " + res.error().message);
  if (res->status != 200) return UnavailableError("introspection answered " + std::to_string(res->status));
  auto answer = json::ParseJsonObject(res->body);
  if (!answer) return UnavailableError("introspection: not a JSON object");
  const json::Value* active = answer->if_contains("active");
  if (active == nullptr || *active != json::Value(true)) return UnauthenticatedError("token: not active");
  // An answer without "iss" speaks for the server we asked, which is our issuer's.
  if (!answer->contains("iss")) (*answer)["iss"] = check.issuer;
  AIP_RETURN_IF_ERROR(jose::CheckClaims(*answer, check));
  return std::move(*answer);
}

}  // namespace aip::oauth
