#include "aip/registry/web_assets.h"

namespace aip::registry {

std::optional<net::HttpResponse> WebAsset(std::string_view path) {
  for (const auto& asset : EmbeddedAssets()) {
    if (asset.path != path) continue;
    net::HttpResponse r;
    r.headers.Set("content-type", asset.content_type);
    r.headers.Set("x-content-type-options", "nosniff");
    r.headers.Set("x-frame-options", "DENY");
    r.headers.Set("referrer-policy", "no-referrer");
    r.headers.Set("content-security-policy",
                  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    r.headers.Set("cache-control", path == "/" ? "no-cache" : "max-age=3600");
    r.body = std::string(asset.body);
    return r;
  }
  return std::nullopt;
}

}  // namespace aip::registry
