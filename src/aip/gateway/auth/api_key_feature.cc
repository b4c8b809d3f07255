#include "aip/gateway/auth/api_key_feature.h"

#include "aip/apikeys/authenticator.h"
#include "aip/gateway/log.h"

namespace aip::gateway {
namespace {

class ApiKeyFeature final : public AuthFeature {
 public:
  ApiKeyFeature(std::shared_ptr<apikeys::ApiKeyAuthenticator> a, bool oauth_on)
      : authenticator_(std::move(a)), oauth_on_(oauth_on) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }
  void OnListening(const Listening& where) override {
    // With OAuth on, its Bearer challenge (with the resource metadata) serves keys too.
    if (!oauth_on_) AddChallenge(where, "Bearer realm=\"mcp\"");
  }
  // "Last used" is written back in batches, off the request path.
  void Tick() override {
    if (Status s = authenticator_->FlushUsage(); !s.ok()) {
      LogEvent("warning", "api_key_usage_not_recorded", json::Object{{"error", s.message()}});
    }
  }
  void Stop() override { (void)authenticator_->FlushUsage(); }

 private:
  std::shared_ptr<apikeys::ApiKeyAuthenticator> authenticator_;
  bool oauth_on_;
};

}  // namespace

Result<std::unique_ptr<AuthFeature>> ApiKeyFeatureFromConfig(const AuthFeatureContext& context) {
  const GatewayConfig& config = context.config;
  if (!config.accept_api_keys) return std::unique_ptr<AuthFeature>();
  auto db = config.api_key_db.empty() ? apikeys::DefaultDatabasePath() : std::filesystem::path(config.api_key_db);
  auto store = apikeys::ApiKeyStore::Open(db);
  if (!store) return InvalidArgumentError(config.source + ": auth.api_key_db: " + store.error().message);
  AIP_ASSIGN_OR_RETURN(auto authenticator,
                       apikeys::ApiKeyAuthenticator::Create(std::shared_ptr<apikeys::ApiKeyStore>(std::move(*store))));
  return std::unique_ptr<AuthFeature>(new ApiKeyFeature(std::move(authenticator), !config.oauth.issuer.empty()));
}

}  // namespace aip::gateway
