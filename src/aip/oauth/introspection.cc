#include "aip/oauth/introspection.h"

#include "aip/base/encoding.h"
#include "aip/oauth/form.h"
#include "aip/oauth/metadata.h"

namespace aip::oauth {

Result<json::Object> Introspector::Introspect(std::string_view token, const jose::JwtCheck& check) const {
  AIP_RETURN_IF_ERROR(CheckFetchableUrl(options_.endpoint));
  AIP_ASSIGN_OR_RETURN(net::Url url, net::ParseUrl(options_.endpoint));
  net::HttpClient client(url, options_.http);
  net::Headers h;
  h.Set("content-type", "application/x-www-form-urlencoded");
  h.Set("accept", "application/json");
  h.Set("authorization", BasicAuthorization(options_.client_id, options_.client_secret));
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
