// TrustFeed keeps the gateway's trust store current from a registry ([trust] registry,
// sync_every): from a thread of its own it pulls what the anchors vouched for, and what those
// agents vouched for, and every revocation of them — each document verified (registry/trust_sync.h)
// — so a revocation published to the registry takes effect without anyone running a command. A
// registry that cannot be reached leaves the last good view in force, and says so (log, metrics,
// /readyz detail).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aip/base/json.h"
#include "aip/gateway/metrics.h"
#include "aip/registry/registry_client.h"
#include "aip/trust/trust_store.h"

namespace aip::gateway {

class TrustFeed {
 public:
  static Result<std::unique_ptr<TrustFeed>> Start(std::string registry_url, std::chrono::milliseconds every,
                                                  std::shared_ptr<trust::TrustStore> store, std::vector<std::string> anchors,
                                                  std::shared_ptr<Metrics> metrics);
  ~TrustFeed();
  // Status describes the last sync, for /readyz ({"registry", "ok", "last_success", "error"}).
  json::Object Status() const;

 private:
  TrustFeed() = default;
  void Loop(std::stop_token stop);
  void SyncOnce();

  std::string url_;
  std::chrono::milliseconds every_{60000};
  std::shared_ptr<trust::TrustStore> store_;
  std::vector<std::string> anchors_;
  std::shared_ptr<Metrics> metrics_;
  std::optional<registry::RegistryClient> client_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  bool ok_ = false;
  std::string last_success_, last_error_;
  std::jthread thread_;
};

}  // namespace aip::gateway
