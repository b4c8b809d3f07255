// API keys made by `aip apikey create` ([auth] api_keys, api_key_db).
#pragma once

#include "aip/gateway/auth/feature.h"

namespace aip::gateway {

Result<std::unique_ptr<AuthFeature>> ApiKeyFeatureFromConfig(const AuthFeatureContext& context);

}  // namespace aip::gateway
