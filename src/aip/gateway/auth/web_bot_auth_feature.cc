#include "aip/gateway/auth/web_bot_auth_feature.h"

#include "aip/mcpsig/web_bot_auth_authenticator.h"

namespace aip::gateway {
namespace {

class WebBotAuthFeature final : public AuthFeature {
 public:
  explicit WebBotAuthFeature(std::shared_ptr<mcpsig::WebBotAuthAuthenticator> a) : authenticator_(std::move(a)) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }

 private:
  std::shared_ptr<mcpsig::WebBotAuthAuthenticator> authenticator_;
};

std::chrono::seconds Seconds(std::chrono::milliseconds ms) { return std::chrono::duration_cast<std::chrono::seconds>(ms); }

}  // namespace

Result<std::unique_ptr<AuthFeature>> WebBotAuthFeatureFromConfig(const AuthFeatureContext& context) {
  const WebBotAuthConfig& w = context.config.web_bot_auth;
  if (!w.enabled) return std::unique_ptr<AuthFeature>();
  resolvers::BotDirectoryOptions d;
  d.fetch.allow_private = w.allow_private_directories;
  d.fetch.ca_file = w.ca_file;
  d.fetch.timeout = w.directory_timeout;
  d.min_ttl = Seconds(w.directory_min_ttl);
  d.max_ttl = Seconds(w.directory_max_ttl);
  d.refresh_interval = Seconds(w.directory_refresh);
  d.origins = w.origins;
  d.verify.max_lifetime = Seconds(w.directory_max_lifetime);
  mcpsig::WebBotAuthOptions o;
  o.directories = std::make_shared<resolvers::BotDirectories>(std::move(d));
  o.max_lifetime = Seconds(w.max_lifetime);
  o.require_nonce = w.require_nonce;
  o.replay_cache = context.replay;
  return std::unique_ptr<AuthFeature>(new WebBotAuthFeature(std::make_shared<mcpsig::WebBotAuthAuthenticator>(std::move(o))));
}

}  // namespace aip::gateway
