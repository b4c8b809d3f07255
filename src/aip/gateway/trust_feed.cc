#include "aip/gateway/trust_feed.h"

#include "aip/base/log.h"
#include "aip/registry/trust_sync.h"

namespace aip::gateway {

Result<std::unique_ptr<TrustFeed>> TrustFeed::Start(std::string registry_url, std::chrono::milliseconds every,
                                                    std::shared_ptr<trust::TrustStore> store, std::vector<std::string> anchors,
                                                    std::shared_ptr<Metrics> metrics) {
  std::unique_ptr<TrustFeed> feed(new TrustFeed());
  AIP_ASSIGN_OR_RETURN(auto client, registry::RegistryClient::Connect(registry_url));
  feed->client_.emplace(std::move(client));
  feed->url_ = std::move(registry_url);
  feed->every_ = every;
  feed->store_ = std::move(store);
  feed->anchors_ = std::move(anchors);
  feed->metrics_ = std::move(metrics);
  feed->metrics_->Describe("aip_trust_sync_total", Metrics::Type::kCounter, "Syncs of the trust store from the registry, by result.");
  feed->metrics_->Describe("aip_trust_sync_documents_total", Metrics::Type::kCounter,
                           "Documents a sync stored (added, revocations) or refused (rejected: they did not verify).");
  feed->metrics_->Describe("aip_trust_sync_last_success_seconds", Metrics::Type::kGauge,
                           "When the trust store last synced from the registry (Unix time).");
  feed->thread_ = std::jthread([raw = feed.get()](std::stop_token stop) { raw->Loop(stop); });
  return feed;
}

TrustFeed::~TrustFeed() {
  thread_.request_stop();
  wake_.notify_all();
}

void TrustFeed::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    SyncOnce();
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, every_, [] { return false; });
  }
}

void TrustFeed::SyncOnce() {
  auto report = registry::SyncTrust(*client_, *store_, anchors_, {}, DefaultClock().Now());
  std::lock_guard lock(mu_);
  if (!report) {
    ok_ = false;
    last_error_ = report.error().message;
    metrics_->Add("aip_trust_sync_total", {{"result", "error"}});
    LogEvent("warning", "trust_sync_failed",
             json::Object{{"registry", url_}, {"error", last_error_}, {"message", "the last trust view stays in force"}});
    return;
  }
  ok_ = true;
  last_error_.clear();
  TimePoint now = DefaultClock().Now();
  last_success_ = FormatTime(now);
  metrics_->Add("aip_trust_sync_total", {{"result", "ok"}});
  metrics_->Add("aip_trust_sync_documents_total", {{"kind", "added"}}, report->added);
  metrics_->Add("aip_trust_sync_documents_total", {{"kind", "revocations"}}, report->revocations);
  metrics_->Add("aip_trust_sync_documents_total", {{"kind", "identity_records"}}, report->identity_records);
  metrics_->Add("aip_trust_sync_documents_total", {{"kind", "rejected"}}, report->rejected);
  metrics_->Set("aip_trust_sync_last_success_seconds", {},
                static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  json::Object fields = report->ToJson();
  fields["registry"] = url_;
  LogEvent(report->rejected > 0 ? "warning" : "info", "trust_sync", std::move(fields));
}

json::Object TrustFeed::Status() const {
  std::lock_guard lock(mu_);
  json::Object o{{"registry", url_}, {"ok", ok_}};
  o["last_success"] = last_success_.empty() ? json::Value(nullptr) : json::Value(last_success_);
  if (!last_error_.empty()) o["error"] = last_error_;
  return o;
}

}  // namespace aip::gateway
