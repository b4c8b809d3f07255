#include "aip/gateway/auth/oauth_feature.h"

#include "aip/base/encoding.h"
#include "aip/gateway/log.h"
#include "aip/oauth/bearer_authenticator.h"

namespace aip::gateway {
namespace {

class OAuthFeature final : public AuthFeature {
 public:
  OAuthFeature(const OAuthConfig& config, std::shared_ptr<oauth::BearerAuthenticator> a) : config_(config), authenticator_(std::move(a)) {}
  std::shared_ptr<authn::CredentialAuthenticator> authenticator() const override { return authenticator_; }

  void OnListening(const Listening& where) override {
    // RFC 9728: the metadata of resource https://h/p lives at https://h/.well-known/oauth-protected-resource/p.
    auto r = net::ParseUrl(where.resource).value();
    std::string metadata_url = r.Origin() + "/.well-known/oauth-protected-resource" + (r.target == "/" ? "" : r.target);
    if (config_.audiences.empty()) authenticator_->AddAudience(where.resource);
    json::Object prm{{"resource", where.resource},
                     {"authorization_servers", json::Array{json::Value(config_.issuer)}},
                     {"bearer_methods_supported", json::Array{"header"}},
                     {"resource_name", "aip gateway"}};
    if (!config_.scopes_supported.empty()) {
      json::Array scopes;
      for (const auto& sc : config_.scopes_supported) scopes.emplace_back(sc);
      prm["scopes_supported"] = std::move(scopes);
    }
    *where.resource_metadata = json::Serialize(prm);
    *where.resource_metadata_url = metadata_url;
    AddChallenge(where, "Bearer realm=\"mcp\", resource_metadata=\"" + metadata_url + "\"");
    AddChallenge(where, "DPoP algs=\"ES256 EdDSA RS256 PS256\"");
  }

 private:
  OAuthConfig config_;
  std::shared_ptr<oauth::BearerAuthenticator> authenticator_;
};

Status CheckUrl(const std::string& source, const char* setting, const std::string& url) {
  if (Status s = oauth::CheckFetchableUrl(url); !s.ok()) return InvalidArgumentError(source + ": " + setting + ": " + s.message());
  return OkStatus();
}

// The key set tokens are checked against: the issuer's (fetched), or a fixed HS256 secret.
Result<std::shared_ptr<oauth::JwksSource>> KeySource(const GatewayConfig& config) {
  const OAuthConfig& o = config.oauth;
  if (!o.hs256_secret_env.empty()) {
    const char* secret = std::getenv(o.hs256_secret_env.c_str());
    json::Object jwk{{"kty", "oct"}, {"alg", "HS256"}, {"k", Base64UrlEncode(AsBytes(secret != nullptr ? secret : ""))}};
    if (!o.hs256_kid.empty()) jwk["kid"] = o.hs256_kid;
    jose::JwkOptions local;
    local.allow_symmetric = true;  // From our own configuration, never from the network.
    auto set = jose::ParseJwkSet(json::Object{{"keys", json::Array{std::move(jwk)}}}, local);
    if (!set || set->keys.size() != 1) return InvalidArgumentError(config.source + ": oauth.hs256_secret_env: not a usable HS256 key");
    return oauth::JwksSource::Fixed(std::move(*set));
  }
  oauth::JwksSourceOptions jo;
  jo.issuer = o.issuer;
  jo.jwks_uri = o.jwks_uri;
  jo.http.timeout = std::chrono::seconds(5);
  jo.http.ca_file = o.ca_file;
  jo.max_age = std::chrono::duration_cast<std::chrono::seconds>(o.jwks_max_age);
  jo.cooldown = std::chrono::duration_cast<std::chrono::seconds>(o.jwks_cooldown);
  return std::make_shared<oauth::JwksSource>(std::move(jo));
}

Result<std::shared_ptr<const oauth::Introspector>> IntrospectorFor(const GatewayConfig& config) {
  const OAuthConfig& o = config.oauth;
  if (o.introspection_endpoint.empty()) return std::shared_ptr<const oauth::Introspector>();
  AIP_RETURN_IF_ERROR(CheckUrl(config.source, "oauth.introspection_endpoint", o.introspection_endpoint));
  oauth::IntrospectionOptions io;
  io.endpoint = o.introspection_endpoint;
  io.client_id = o.introspection_client_id;
  const char* secret = std::getenv(o.introspection_secret_env.c_str());
  io.client_secret = crypto::SecretBytes(AsBytes(secret != nullptr ? secret : ""));
  io.http.timeout = std::chrono::seconds(5);
  io.http.ca_file = o.ca_file;
  return std::make_shared<const oauth::Introspector>(std::move(io));
}

}  // namespace

Result<std::unique_ptr<AuthFeature>> OAuthFeatureFromConfig(const AuthFeatureContext& context) {
  const GatewayConfig& config = context.config;
  const OAuthConfig& o = config.oauth;
  if (o.issuer.empty()) return std::unique_ptr<AuthFeature>();
  AIP_RETURN_IF_ERROR(CheckUrl(config.source, "oauth.issuer", o.issuer));
  if (!o.jwks_uri.empty()) AIP_RETURN_IF_ERROR(CheckUrl(config.source, "oauth.jwks_uri", o.jwks_uri));
  AIP_ASSIGN_OR_RETURN(std::shared_ptr<oauth::JwksSource> keys, KeySource(config));

  oauth::BearerOptions bo;
  bo.check.issuer = o.issuer;
  bo.check.audiences = o.audiences;
  bo.check.algorithms.clear();
  for (const auto& a : o.algorithms) bo.check.algorithms.insert(*jose::AlgorithmFromName(a));
  bo.check.require_at_jwt = o.require_at_jwt;
  bo.check.leeway = std::chrono::duration_cast<std::chrono::seconds>(o.leeway);
  bo.dpop.replay = context.replay;  // DPoP jtis share the gateway's replay cache.
  bo.dpop_required = o.dpop_required;
  if (o.dpop_nonce && o.dpop_nonce_secret.empty()) bo.dpop.nonces = std::make_shared<const oauth::DpopNonces>();
  if (o.dpop_nonce && !o.dpop_nonce_secret.empty()) {
    // Shared by every instance: a nonce one hands out, any other accepts.
    AIP_ASSIGN_OR_RETURN(bo.dpop.nonces, oauth::DpopNonces::Shared(o.dpop_nonce_secret.RevealSecret()));
  }
  AIP_ASSIGN_OR_RETURN(bo.introspector, IntrospectorFor(config));
  bo.introspection_cache = std::chrono::duration_cast<std::chrono::seconds>(o.introspection_cache);
  auto authenticator = std::make_shared<oauth::BearerAuthenticator>(keys, std::move(bo));

  context.metrics->Describe("aip_gateway_jwks_fetches_total", Metrics::Type::kCounter, "Fetches of the OAuth issuer's keys.");
  context.metrics->SetCallback("aip_gateway_jwks_fetches_total", [keys] {
    return std::vector<std::pair<Labels, double>>{{{}, static_cast<double>(keys->fetches())}};
  });
  // The keys are fetched now, so a wrong issuer shows at start; an issuer that is down only
  // delays bearer tokens (they are refused until its keys arrive).
  if (auto fetched = keys->Keys(); !fetched) {
    LogEvent("warning", "oauth_keys_unavailable", json::Object{{"issuer", o.issuer}, {"error", fetched.error().message}});
  }
  return std::unique_ptr<AuthFeature>(new OAuthFeature(o, std::move(authenticator)));
}

}  // namespace aip::gateway
