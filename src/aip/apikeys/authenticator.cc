#include "aip/apikeys/authenticator.h"

#include "aip/crypto/secret_bytes.h"

namespace aip::apikeys {
namespace {

authn::AuthFailure Refuse(std::string reason, std::string message) { return {std::move(reason), std::move(message)}; }

}  // namespace

ApiKeyAuthenticator::ApiKeyAuthenticator(std::shared_ptr<ApiKeyStore> store, ApiKeyAuthenticatorOptions options)
    : store_(std::move(store)), options_(options) {}

Result<std::shared_ptr<ApiKeyAuthenticator>> ApiKeyAuthenticator::Create(std::shared_ptr<ApiKeyStore> store,
                                                                         ApiKeyAuthenticatorOptions options) {
  std::shared_ptr<ApiKeyAuthenticator> a(new ApiKeyAuthenticator(std::move(store), options));
  AIP_RETURN_IF_ERROR(a->Reload());
  if (options.background) a->refresher_ = std::jthread([raw = a.get()](std::stop_token stop) { raw->RefreshLoop(stop); });
  return a;
}

ApiKeyAuthenticator::~ApiKeyAuthenticator() {
  if (refresher_.joinable()) {
    refresher_.request_stop();
    refresher_.join();
  }
}

void ApiKeyAuthenticator::RefreshLoop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, stop, options_.refresh, [] { return false; });
    }
    if (stop.stop_requested()) break;
    (void)Reload();
    (void)FlushUsage();
  }
}

Status ApiKeyAuthenticator::Reload() {
  auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    checked_ = started;
  }
  auto version = store_->DataVersion();
  store_up_ = version.ok();
  if (!version) return version.status();
  {
    std::lock_guard lock(mu_);
    if (*version == version_ && snapshot_) {
      verified_ = started;
      return OkStatus();
    }
  }
  auto listed = store_->List();
  store_up_ = listed.ok();
  if (!listed) return listed.status();
  auto& records = *listed;
  auto snap = std::make_shared<Snapshot>();
  for (auto& r : records) {
    std::string id = r.id;
    snap->keys.emplace(std::move(id), std::move(r));
  }
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snap);
  version_ = *version;
  verified_ = started;
  return OkStatus();
}

std::shared_ptr<const ApiKeyAuthenticator::Snapshot> ApiKeyAuthenticator::Current() {
  bool stale;
  {
    std::lock_guard lock(mu_);
    if (options_.background) {
      // The refresher keeps the copy current; one it could not check for too long is not used.
      if (std::chrono::steady_clock::now() - verified_ > options_.stale_after) return nullptr;
      return snapshot_;
    }
    stale = std::chrono::steady_clock::now() - checked_ >= options_.refresh;
    if (!stale) return snapshot_;
  }
  // One request re-reads the store; the others go on with the snapshot they have. A failed
  // read keeps the old snapshot but is retried on the next request.
  if (std::unique_lock reload(reload_mu_, std::try_to_lock); reload.owns_lock()) (void)Reload();
  std::lock_guard lock(mu_);
  return snapshot_;
}

std::size_t ApiKeyAuthenticator::size() const {
  std::lock_guard lock(mu_);
  return snapshot_ ? snapshot_->keys.size() : 0;
}

std::variant<authn::Principal, authn::AuthFailure> ApiKeyAuthenticator::Check(std::string_view text, std::string_view address) {
  auto parsed = ParseKey(text);
  if (!parsed) return Refuse("malformed_api_key", "malformed API key");
  auto snap = Current();
  if (!snap) {
    return authn::AuthFailure("apikey_store_unavailable", "the API-key store cannot be reached; try again later");
  }
  auto it = snap->keys.find(parsed->id);
  Bytes hash = KeyHash(store_->hash_key(), *parsed);
  // The same work and the same answer for an unknown id as for a wrong secret.
  static const Bytes kNoKey(32, 0);
  const KeyRecord* record = it != snap->keys.end() ? &it->second : nullptr;
  bool match = crypto::ConstantTimeEquals(hash, record != nullptr ? ByteSpan(record->hash) : ByteSpan(kNoKey));
  if (!match || record == nullptr) return Refuse("invalid_api_key", "invalid API key");
  // Only the holder of the right secret learns why a known key no longer works.
  TimePoint now = options_.clock->Now();
  if (record->revoked && *record->revoked <= now) return Refuse("revoked_api_key", "API key revoked");
  if (record->expires && *record->expires <= now) return Refuse("expired_api_key", "API key expired");
  {
    std::lock_guard lock(mu_);
    if (pending_uses_.size() < 100000) pending_uses_[record->id] = {now, std::string(address)};
  }
  authn::Principal p;
  p.kind = authn::Principal::Kind::kApiKey;
  p.id = "apikey:" + record->id;
  p.client_id = record->id;
  p.scopes = record->scopes;
  p.tools = record->tools;
  p.attributes["key_name"] = record->name;
  return p;
}

std::variant<authn::Principal, authn::AuthFailure> ApiKeyAuthenticator::Verify(const authn::Credential& credential, const json::Object&,
                                                                               const authn::HttpInfo* http) {
  return Check(credential.value, http != nullptr ? http->remote_address : std::string_view());
}

Status ApiKeyAuthenticator::FlushUsage() {
  std::map<std::string, std::pair<TimePoint, std::string>> uses;
  {
    std::lock_guard lock(mu_);
    uses.swap(pending_uses_);
  }
  std::vector<ApiKeyStore::KeyUse> batch;
  batch.reserve(uses.size());
  for (auto& [id, use] : uses) batch.push_back({id, use.first, std::move(use.second)});
  return store_->RecordUses(batch);
}

}  // namespace aip::apikeys
