#include "aip/resolvers/guarded_fetch.h"

#include "aip/net/address_policy.h"
#include "aip/net/http_client.h"

namespace aip::resolvers {

Result<net::HttpResponse> GuardedGet(const net::Url& url, std::string_view accept, const GuardedFetchOptions& options) {
  net::HttpClientOptions o;
  o.timeout = options.timeout;
  o.max_response_bytes = options.max_bytes;
  o.ca_file = options.ca_file;
  if (!options.allow_private) o.allow_address = net::IsPublicAddress;
  net::HttpClient client(url, o);
  net::Headers h;
  h.Set("accept", std::string(accept));
  return client.Send("GET", url.target, h, "");
}

}  // namespace aip::resolvers
