#include "aip/gateway/auth/api_key_feature.h"

#include "aip/apikeys/authenticator.h"
#include "aip/gateway/log.h"

namespace aip::gateway {
namespace {

class ApiKeyFeature final : public AuthFeature {
 public:
  ApiKeyFeature(std::shared_ptr<apikeys::ApiKeyAuthenticator> a, bool oauth_on) : authenticator_(std::move(a)), oauth_on_(oauth_on) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }
  void OnListening(const Listening& where) override {
    // With OAuth on, its Bearer challenge (with the resource metadata) serves keys too.
    if (!oauth_on_) AddChallenge(where, "Bearer realm=\"mcp\"");
  }
  // The authenticator's own thread re-reads the store and writes "last used" back in batches;
  // here the store's state is watched, and an outage logged once when it starts and ends.
  void Tick() override {
    bool up = authenticator_->store_up();
    if (up == store_up_) return;
    store_up_ = up;
    LogEvent(up ? "info" : "warning", up ? "store_back" : "store_unavailable",
             json::Object{{"store", "apikeys"},
                          {"message", up ? "" : "API keys keep working from the last copy until it is older than stale_after"}});
  }
  void Stop() override { (void)authenticator_->FlushUsage(); }

 private:
  std::shared_ptr<apikeys::ApiKeyAuthenticator> authenticator_;
  bool oauth_on_;
  bool store_up_ = true;
};

}  // namespace

Result<std::unique_ptr<AuthFeature>> ApiKeyFeatureFromConfig(const AuthFeatureContext& context) {
  const GatewayConfig& config = context.config;
  if (!config.accept_api_keys) return std::unique_ptr<AuthFeature>();
  const ApiKeysConfig& k = config.apikeys;
  apikeys::StoreLocation where;
  where.db = !k.db.empty() ? k.db : !config.api_key_db.empty() ? config.api_key_db : apikeys::DefaultDatabasePath().string();
  where.hash_key_file = k.hash_key_file;
  // A gateway never makes a PostgreSQL store's hash key: one of its own would match no key.
  where.create_hash_key = !where.db.starts_with("postgres");
  auto store = apikeys::ApiKeyStore::Open(where);
  if (!store)
    return InvalidArgumentError(config.source + ": " + (k.db.empty() ? "auth.api_key_db: " : "apikeys.db: ") + store.error().message);
  apikeys::ApiKeyAuthenticatorOptions options;
  options.refresh = k.refresh;
  options.stale_after = k.stale_after;
  options.background = true;
  AIP_ASSIGN_OR_RETURN(auto authenticator,
                       apikeys::ApiKeyAuthenticator::Create(std::shared_ptr<apikeys::ApiKeyStore>(std::move(*store)), options));
  return std::unique_ptr<AuthFeature>(new ApiKeyFeature(std::move(authenticator), !config.oauth.issuer.empty()));
}

}  // namespace aip::gateway
