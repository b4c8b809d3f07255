// An authentication feature of the gateway: one way in (a call proof, an RFC 9421 signature, an
// API key, an OAuth token), built from its own configuration section by a registered factory
// (features.cc), owning its authenticator and whatever else that way in needs for the
// gateway's lifetime — audiences learnt once the listener is up, the 401 challenge it adds,
// metrics, periodic work. GatewayService only assembles them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aip/authn/authenticator.h"
#include "aip/authn/replay_cache.h"
#include "aip/base/status.h"
#include "aip/gateway/config.h"
#include "aip/gateway/metrics.h"

namespace aip::gateway {

// What a feature is built from: the whole configuration (it reads its own section) and the
// state the ways in share.
struct AuthFeatureContext {
  const GatewayConfig& config;
  std::shared_ptr<authn::ReplayCache> replay;  // Every nonce-carrying credential spends here.
  std::shared_ptr<Metrics> metrics;
};

// Where the gateway listens, known once the listener is up.
struct Listening {
  std::string url;        // The URL the gateway listens at (its /mcp).
  std::string alias_url;  // The same with "localhost" for a loopback listener; else empty.
  std::string resource;   // The canonical resource URI (gateway.public_url, else url).
  // What the gateway tells a caller without a credential: each feature adds its challenge (the
  // signatures' DataIntegrity challenge once), and OAuth its RFC 9728 metadata.
  std::vector<std::string>* challenges = nullptr;
  std::string* resource_metadata_url = nullptr;
  std::string* resource_metadata = nullptr;  // The document served at that URL.
  std::string signature_challenge;           // The transport's DataIntegrity challenge.
};

class AuthFeature {
 public:
  virtual ~AuthFeature() = default;
  virtual std::shared_ptr<authn::CredentialAuthenticator> authenticator() const = 0;
  // OnListening learns the gateway's URLs (audiences) and adds what the 401 advertises.
  virtual void OnListening(const Listening&) {}
  // Tick runs about once a second; Stop once, after the last request.
  virtual void Tick() {}
  virtual void Stop() {}
};

// A factory builds its feature from its section: null when the section switches it off, an
// error naming the setting when the section is wrong.
using AuthFeatureFactory = Result<std::unique_ptr<AuthFeature>> (*)(const AuthFeatureContext&);

// The registered factories, in the order their challenges are advertised.
const std::vector<AuthFeatureFactory>& AuthFeatureFactories();

// AddChallenge appends a challenge once.
void AddChallenge(const Listening& where, const std::string& challenge);

}  // namespace aip::gateway
