// The Web Bot Auth way in ([web_bot_auth]; docs/web-bot-auth.md): agents that sign the IETF way,
// their keys found in their operator's key directory. Off unless configured.
#pragma once

#include "aip/gateway/auth/feature.h"

namespace aip::gateway {

Result<std::unique_ptr<AuthFeature>> WebBotAuthFeatureFromConfig(const AuthFeatureContext& context);

}  // namespace aip::gateway
