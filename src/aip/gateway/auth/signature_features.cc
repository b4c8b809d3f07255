#include "aip/gateway/auth/signature_features.h"

#include "aip/mcpsig/authenticator.h"

namespace aip::gateway {
namespace {

class ProofFeature final : public AuthFeature {
 public:
  explicit ProofFeature(std::shared_ptr<mcpsig::ProofAuthenticator> a) : authenticator_(std::move(a)) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }
  void OnListening(const Listening& where) override {
    // A proof names its audience: the configured ones, public_url, and where we listen.
    authenticator_->AddAudience(where.url);
    if (!where.alias_url.empty()) authenticator_->AddAudience(where.alias_url);
    AddChallenge(where, where.signature_challenge);
  }

 private:
  std::shared_ptr<mcpsig::ProofAuthenticator> authenticator_;
};

class HttpSignatureFeature final : public AuthFeature {
 public:
  explicit HttpSignatureFeature(std::shared_ptr<mcpsig::HttpSignatureAuthenticator> a) : authenticator_(std::move(a)) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }
  void OnListening(const Listening& where) override { AddChallenge(where, where.signature_challenge); }

 private:
  std::shared_ptr<mcpsig::HttpSignatureAuthenticator> authenticator_;
};

}  // namespace

Result<std::unique_ptr<AuthFeature>> ProofFeatureFromConfig(const AuthFeatureContext& context) {
  const GatewayConfig& config = context.config;
  if (!config.accept_aip_proof) return std::unique_ptr<AuthFeature>();
  mcpsig::VerifyOptions v;
  v.audiences = config.audiences;
  if (!config.public_url.empty()) v.audiences.push_back(config.public_url);
  v.resolver = mcpsig::DefaultResolver();
  v.replay_cache = context.replay;
  return std::unique_ptr<AuthFeature>(new ProofFeature(std::make_shared<mcpsig::ProofAuthenticator>(std::move(v))));
}

Result<std::unique_ptr<AuthFeature>> HttpSignatureFeatureFromConfig(const AuthFeatureContext& context) {
  if (!context.config.accept_http_signature) return std::unique_ptr<AuthFeature>();
  return std::unique_ptr<AuthFeature>(
      new HttpSignatureFeature(std::make_shared<mcpsig::HttpSignatureAuthenticator>(mcpsig::DefaultResolver(), context.replay)));
}

}  // namespace aip::gateway
