// ApiKeyAuthenticator accepts "Authorization: Bearer aip_..." or "X-Api-Key: aip_..." and
// yields a principal of kind api_key ("apikey:<id>") carrying the key's scopes and tool
// allowlist, which policy then reads. Keys are checked against an in-memory copy of the store,
// re-read whenever another process (`aip apikey revoke`, another gateway's host) changed it, at
// most `refresh` after the change; "last used" is written back in batches by FlushUsage, off the
// request path. With `background` a thread of its own does both, so no request ever waits on
// the store; and a copy that could not be checked for `stale_after` is no longer trusted: keys
// are then refused as apikey_store_unavailable (a revocation might be missed), until the store
// answers again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "aip/apikeys/key_store.h"
#include "aip/authn/authenticator.h"

namespace aip::apikeys {

struct ApiKeyAuthenticatorOptions {
  std::chrono::milliseconds refresh{1000};
  const Clock* clock = &DefaultClock();
  bool background = false;
  std::chrono::milliseconds stale_after{30000};  // With background only.
};

class ApiKeyAuthenticator final : public authn::CredentialAuthenticator {
 public:
  // Create reads the store once; a store that cannot be read refuses to start.
  static Result<std::shared_ptr<ApiKeyAuthenticator>> Create(std::shared_ptr<ApiKeyStore> store, ApiKeyAuthenticatorOptions options = {});
  ~ApiKeyAuthenticator();

  authn::CredentialType credential_type() const override { return authn::CredentialType::kApiKey; }
  std::variant<authn::Principal, authn::AuthFailure> Verify(const authn::Credential& credential, const json::Object& request,
                                                            const authn::HttpInfo* http) override;
  // Check verifies one key text, as received from `address`.
  std::variant<authn::Principal, authn::AuthFailure> Check(std::string_view key, std::string_view address);
  // FlushUsage writes the last use of each key seen since the previous flush.
  Status FlushUsage();
  std::size_t size() const;
  // StoreUp: the last check of the store succeeded.
  bool store_up() const { return store_up_.load(); }

 private:
  struct Snapshot {
    std::unordered_map<std::string, KeyRecord> keys;
  };
  ApiKeyAuthenticator(std::shared_ptr<ApiKeyStore> store, ApiKeyAuthenticatorOptions options);
  Status Reload();
  std::shared_ptr<const Snapshot> Current();
  void RefreshLoop(std::stop_token stop);

  std::shared_ptr<ApiKeyStore> store_;
  ApiKeyAuthenticatorOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::int64_t version_ = -1;
  std::chrono::steady_clock::time_point checked_;   // Last attempt to check the store.
  std::chrono::steady_clock::time_point verified_;  // Last successful check.
  std::atomic<bool> store_up_{true};
  std::mutex reload_mu_;  // One reader of the database at a time; the others keep the snapshot.
  std::map<std::string, std::pair<TimePoint, std::string>> pending_uses_;
  std::mutex wake_mu_;
  std::condition_variable_any wake_;
  std::jthread refresher_;  // Last: stopped and joined first.
};

}  // namespace aip::apikeys
