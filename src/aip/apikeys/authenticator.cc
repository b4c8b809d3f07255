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
  return a;
}

Status ApiKeyAuthenticator::Reload() {
  AIP_ASSIGN_OR_RETURN(std::int64_t version, store_->DataVersion());
  {
    std::lock_guard lock(mu_);
    checked_ = std::chrono::steady_clock::now();
    if (version == version_ && snapshot_) return OkStatus();
  }
  AIP_ASSIGN_OR_RETURN(auto records, store_->List());
  auto snap = std::make_shared<Snapshot>();
  for (auto& r : records) {
    std::string id = r.id;
    snap->keys.emplace(std::move(id), std::move(r));
  }
  std::lock_guard lock(mu_);
  snapshot_ = std::move(snap);
  version_ = version;
  return OkStatus();
}

std::shared_ptr<const ApiKeyAuthenticator::Snapshot> ApiKeyAuthenticator::Current() {
  bool stale;
  {
    std::lock_guard lock(mu_);
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

std::variant<authn::Principal, authn::AuthFailure> ApiKeyAuthenticator::Verify(const authn::Credential& credential,
                                                                              const json::Object&,
                                                                              const authn::HttpInfo* http) {
  return Check(credential.value, http != nullptr ? http->remote_address : std::string_view());
}

Status ApiKeyAuthenticator::FlushUsage() {
  std::map<std::string, std::pair<TimePoint, std::string>> uses;
  {
    std::lock_guard lock(mu_);
    uses.swap(pending_uses_);
  }
  Status first;
  for (const auto& [id, use] : uses) {
    Status s = store_->RecordUse(id, use.first, use.second);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace aip::apikeys
