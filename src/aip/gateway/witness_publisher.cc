#include "aip/gateway/witness_publisher.h"

#include "aip/gateway/audit_chain.h"
#include "aip/gateway/audit_witness.h"
#include "aip/gateway/log.h"
#include "aip/net/http_client.h"

namespace aip::gateway {

WitnessPublisher::WitnessPublisher(std::string url, std::string witness_did, std::shared_ptr<Metrics> metrics)
    : url_(std::move(url)), witness_did_(std::move(witness_did)), metrics_(std::move(metrics)) {
  thread_ = std::thread([this] { Run(); });
}

WitnessPublisher::~WitnessPublisher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stop_by_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WitnessPublisher::Publish(std::string checkpoint_line) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(checkpoint_line);
  }
  cv_.notify_all();
}

std::optional<std::uint64_t> WitnessPublisher::witnessed() const {
  std::lock_guard lock(mu_);
  return witnessed_;
}

void WitnessPublisher::Run() {
  auto backoff = std::chrono::milliseconds(500);
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return pending_.has_value() || stopping_; });
    if (!pending_ || (stopping_ && std::chrono::steady_clock::now() >= stop_by_)) return;
    std::string line = *pending_;
    lock.unlock();
    Status sent = Send(line);
    lock.lock();
    if (sent.ok()) {
      if (pending_ == line) pending_.reset();
      backoff = std::chrono::milliseconds(500);
      continue;
    }
    if (sent.code() == ErrorCode::kAlreadyExists || sent.code() == ErrorCode::kInvalidArgument) {
      // The witness refuses this checkpoint for good (it saw another history): retrying cannot
      // help; the next checkpoint is tried when it comes.
      if (pending_ == line) pending_.reset();
      continue;
    }
    // Unreachable: wait and try again (a newer checkpoint replaces this one meanwhile).
    auto until = std::chrono::steady_clock::now() + backoff;
    if (stopping_) until = std::min(until, stop_by_);
    cv_.wait_until(lock, until, [&] { return stopping_ && std::chrono::steady_clock::now() >= stop_by_; });
    backoff = std::min(backoff * 2, std::chrono::milliseconds(60000));
  }
}

Status WitnessPublisher::Send(const std::string& line) {
  auto outcome = [&](std::string_view result) { metrics_->Add("aip_gateway_audit_witness_total", {{"result", std::string(result)}}); };
  auto url = net::ParseUrl(url_);
  if (!url) return url.error();
  net::HttpClientOptions options;
  options.timeout = std::chrono::seconds(5);
  net::HttpClient client(*url, options);
  net::Headers h;
  h.Set("content-type", "application/json");
  auto res = client.Send("POST", url->target, h, line);
  if (!res) {
    outcome("unavailable");
    LogEvent("warning", "audit_witness_unavailable", json::Object{{"url", url_}, {"error", res.error().message}});
    return UnavailableError(res.error().message);
  }
  if (res->status != 200) {
    bool refused = res->status == 409 || res->status == 400 || res->status == 401 || res->status == 403;
    outcome(refused ? "refused" : "unavailable");
    LogEvent(refused ? "error" : "warning", refused ? "audit_witness_refused" : "audit_witness_unavailable",
             json::Object{{"url", url_}, {"status", res->status}, {"body", res->body.substr(0, 300)}});
    if (res->status == 409) return AlreadyExistsError("witness refused the checkpoint");
    if (refused) return InvalidArgumentError("witness refused the checkpoint");
    return UnavailableError("witness answered HTTP " + std::to_string(res->status));
  }
  auto doc = json::ParseJsonObject(res->body);
  Result<AuditReceipt> receipt = doc ? VerifyAuditReceipt(*doc, witness_did_) : Result<AuditReceipt>(doc.error());
  auto cp = json::ParseJsonObject(line);
  const json::Value* seq = cp ? cp->if_contains("seq") : nullptr;
  if (!receipt || seq == nullptr || !seq->is_int64() || receipt->seq != static_cast<std::uint64_t>(seq->get_int64()) ||
      receipt->line_sha256 != AuditLineHash(line)) {
    outcome("bad_receipt");
    LogEvent("error", "audit_witness_bad_receipt",
             json::Object{{"url", url_}, {"error", receipt ? "the receipt names another checkpoint" : receipt.error().message}});
    return UnavailableError("bad receipt");
  }
  outcome("ok");
  std::lock_guard lock(mu_);
  witnessed_ = receipt->seq;
  return OkStatus();
}

}  // namespace aip::gateway
