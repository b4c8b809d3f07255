#include "aip/oauth/jwks_source.h"

namespace aip::oauth {

JwksSource::JwksSource(JwksSourceOptions options) : options_(std::move(options)), jwks_uri_(options_.jwks_uri) {}

std::shared_ptr<JwksSource> JwksSource::Fixed(jose::JwkSet keys) {
  auto source = std::make_shared<JwksSource>(JwksSourceOptions{});
  source->keys_ = std::make_shared<const jose::JwkSet>(std::move(keys));
  source->fixed_ = true;
  return source;
}

Result<std::string> JwksSource::JwksUri() {
  if (!jwks_uri_.empty()) return jwks_uri_;
  AIP_ASSIGN_OR_RETURN(AuthorizationServer metadata, AuthorizationServerMetadata(options_.issuer, options_.http));
  if (metadata.jwks_uri.empty()) return UnavailableError("the metadata of " + options_.issuer + " has no jwks_uri");
  jwks_uri_ = std::move(metadata.jwks_uri);
  return jwks_uri_;
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::Fetch(std::uint64_t seen_generation, bool respect_cooldown) {
  if (fixed_) return keys_;
  std::lock_guard fetch(fetch_mu_);
  {
    std::lock_guard lock(mu_);
    // Someone fetched while we waited: their answer is ours.
    if (generation_ != seen_generation && keys_) return keys_;
    bool recent =
        fetched_at_ != std::chrono::steady_clock::time_point{} && std::chrono::steady_clock::now() - fetched_at_ < options_.cooldown;
    if (respect_cooldown && keys_ && recent) return keys_;
    if (!keys_ && recent) return UnavailableError("the issuer's keys are unavailable; retrying after the cooldown");
  }
  ++fetches_;
  auto result = [&]() -> Result<std::shared_ptr<const jose::JwkSet>> {
    AIP_ASSIGN_OR_RETURN(std::string uri, JwksUri());
    AIP_ASSIGN_OR_RETURN(json::Value doc, GetJson(uri, options_.http));
    AIP_ASSIGN_OR_RETURN(jose::JwkSet set, jose::ParseJwkSet(doc));
    return std::make_shared<const jose::JwkSet>(std::move(set));
  }();
  std::lock_guard lock(mu_);
  fetched_at_ = std::chrono::steady_clock::now();  // Failures count too: no hammering a sick issuer.
  if (!result) {
    if (keys_) return keys_;
    return result;
  }
  keys_ = *result;
  ++generation_;
  return keys_;
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::Keys() {
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    if (keys_ && (fixed_ || std::chrono::steady_clock::now() - fetched_at_ < options_.max_age)) return keys_;
    generation = generation_;
  }
  return Fetch(generation, false);
}

Result<std::shared_ptr<const jose::JwkSet>> JwksSource::RefreshForUnknownKid() {
  std::uint64_t generation;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  return Fetch(generation, true);
}

}  // namespace aip::oauth
