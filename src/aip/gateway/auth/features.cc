#include <algorithm>

#include "aip/gateway/auth/api_key_feature.h"
#include "aip/gateway/auth/feature.h"
#include "aip/gateway/auth/oauth_feature.h"
#include "aip/gateway/auth/signature_features.h"
#include "aip/gateway/auth/web_bot_auth_feature.h"

namespace aip::gateway {

const std::vector<AuthFeatureFactory>& AuthFeatureFactories() {
  // A new way in: its own folder or file, and one line here.
  static const std::vector<AuthFeatureFactory> factories{
      &ProofFeatureFromConfig, &HttpSignatureFeatureFromConfig, &ApiKeyFeatureFromConfig,
      &OAuthFeatureFromConfig, &WebBotAuthFeatureFromConfig,
  };
  return factories;
}

void AddChallenge(const Listening& where, const std::string& challenge) {
  auto& list = *where.challenges;
  if (std::find(list.begin(), list.end(), challenge) == list.end()) list.push_back(challenge);
}

}  // namespace aip::gateway
