// ApiKeyAuthenticator accepts "Authorization: Bearer aip_..." or "X-Api-Key: aip_..." and
// yields a principal of kind api_key ("apikey:<id>") carrying the key's scopes and tool
// allowlist, which policy then reads. Keys are checked against an in-memory copy of the store,
// re-read whenever another process (`aip apikey revoke`) changed it, at most `refresh` after
// the change; "last used" is written back in batches by FlushUsage, off the request path.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "aip/apikeys/key_store.h"
#include "aip/authn/authenticator.h"

namespace aip::apikeys {

struct ApiKeyAuthenticatorOptions {
  std::chrono::milliseconds refresh{1000};
  const Clock* clock = &DefaultClock();
};

class ApiKeyAuthenticator final : public authn::CredentialAuthenticator {
 public:
  // Create reads the store once; a store that cannot be read refuses to start.
  static Result<std::shared_ptr<ApiKeyAuthenticator>> Create(std::shared_ptr<ApiKeyStore> store,
                                                             ApiKeyAuthenticatorOptions options = {});

  authn::CredentialType credential_type() const override { return authn::CredentialType::kApiKey; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;
  // Check verifies one key text, as received from `address`.
  std::variant<authn::Principal, authn::AuthFailure> Check(std::string_view key, std::string_view address);
  // FlushUsage writes the last use of each key seen since the previous flush.
  Status FlushUsage();
  std::size_t size() const;

 private:
  struct Snapshot {
    std::unordered_map<std::string, KeyRecord> keys;
  };
  ApiKeyAuthenticator(std::shared_ptr<ApiKeyStore> store, ApiKeyAuthenticatorOptions options);
  Status Reload();
  std::shared_ptr<const Snapshot> Current();

  std::shared_ptr<ApiKeyStore> store_;
  ApiKeyAuthenticatorOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::int64_t version_ = -1;
  std::chrono::steady_clock::time_point checked_;
  std::mutex reload_mu_;  // One reader of the database at a time; the others keep the snapshot.
  std::map<std::string, std::pair<TimePoint, std::string>> pending_uses_;
};

}  // namespace aip::apikeys
