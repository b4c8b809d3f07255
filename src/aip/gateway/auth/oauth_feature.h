// OAuth 2.1 bearer and DPoP tokens ([oauth]; docs/oauth.md): the issuer's keys (or an HS256
// secret, or RFC 7662 introspection), RFC 9728 resource metadata, and the fetch metric.
#pragma once

#include "aip/gateway/auth/feature.h"

namespace aip::gateway {

Result<std::unique_ptr<AuthFeature>> OAuthFeatureFromConfig(const AuthFeatureContext& context);

}  // namespace aip::gateway
