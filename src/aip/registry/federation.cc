#include "aip/registry/federation.h"

#include "aip/base/log.h"
#include "aip/net/address_policy.h"
#include "aip/net/http_client.h"
#include "aip/trust/vouch.h"

namespace aip::registry {
namespace {

bool IsForgery(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument || e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied ||
         e.code == ErrorCode::kNotFound || e.code == ErrorCode::kResourceExhausted;
}

}  // namespace

Result<std::vector<PeerRecord>> ParseRecordPage(std::string_view body, std::int64_t after, std::size_t max_records) {
  json::ParseLimits limits;
  limits.max_bytes = 16 * 1024 * 1024;
  AIP_ASSIGN_OR_RETURN(auto page, json::ParseJsonObject(body, limits));
  const json::Value* records = page.if_contains("records");
  if (records == nullptr || !records->is_array()) return InvalidArgumentError("peer page: no records array");
  if (records->get_array().size() > max_records) return InvalidArgumentError("peer page: too many records");
  std::vector<PeerRecord> out;
  std::int64_t last = after;
  for (const auto& item : records->get_array()) {
    const json::Object* rec = item.if_object();
    const json::Value* seq = rec ? rec->if_contains("seq") : nullptr;
    const json::Value* kind = rec ? rec->if_contains("kind") : nullptr;
    const json::Value* doc = rec ? rec->if_contains("document") : nullptr;
    if (seq == nullptr || !seq->is_int64() || kind == nullptr || !kind->is_string() || doc == nullptr || !doc->is_object()) {
      return InvalidArgumentError("peer page: malformed record");
    }
    if (seq->as_int64() <= last) return InvalidArgumentError("peer page: sequence numbers do not grow");
    last = seq->as_int64();
    out.push_back({last, std::string(kind->get_string()), doc->get_object()});
  }
  return out;
}

Result<AppliedRecord> ApplyRecord(RegistryStore& store, std::string_view kind, const json::Object& doc, TimePoint now) {
  if (kind == "agent") {
    AIP_ASSIGN_OR_RETURN(auto record, VerifyRegistration(doc, now));
    AIP_ASSIGN_OR_RETURN(auto outcome, store.PutAgent(record, now));
    return AppliedRecord{outcome, record.did};
  }
  if (kind == "vouch") {
    AIP_ASSIGN_OR_RETURN(auto vouch, trust::VerifyVouch(doc));
    AIP_ASSIGN_OR_RETURN(auto outcome, store.PutVouch(vouch, now));
    return AppliedRecord{outcome, vouch.id};
  }
  if (kind == "revocation") {
    AIP_ASSIGN_OR_RETURN(auto revocation, trust::VerifyRevocation(doc));
    AIP_ASSIGN_OR_RETURN(auto outcome, store.PutRevocation(revocation, now));
    return AppliedRecord{outcome, revocation.vouch_id};
  }
  if (kind == "rotation") {
    // Both keys signed it: the old key alone (a thief's) cannot make one.
    AIP_ASSIGN_OR_RETURN(auto rotation, identity::KeyRotation::FromJson(json::Value(doc)));
    AIP_RETURN_IF_ERROR(rotation.Verify());
    AIP_ASSIGN_OR_RETURN(auto outcome, store.PutRotation(rotation, now));
    return AppliedRecord{outcome, rotation.previous_did};
  }
  if (kind == "deactivation") {
    AIP_ASSIGN_OR_RETURN(auto deactivation, identity::Deactivation::FromJson(json::Value(doc)));
    AIP_RETURN_IF_ERROR(deactivation.Verify());
    AIP_ASSIGN_OR_RETURN(auto outcome, store.PutDeactivation(deactivation, now));
    return AppliedRecord{outcome, deactivation.did};
  }
  return InvalidArgumentError("unknown record kind");
}

void Federation::PullDue() {
  auto peers = store_->Peers();
  if (!peers) {
    LogEvent("warn", "federation_peers_unreadable", {{"error", peers.error().message}});
    return;
  }
  auto now = std::chrono::steady_clock::now();
  for (const auto& peer : *peers) {
    {
      std::lock_guard lock(mu_);
      auto it = last_pull_.find(peer.url);
      if (it != last_pull_.end() && now - it->second < options_.interval) continue;
      last_pull_[peer.url] = now;
    }
    auto report = Pull(peer);
    if (!report) {
      LogEvent("warn", "federation_pull_failed", {{"peer", peer.url}, {"error", report.error().message}});
    } else if (report->accepted + report->rejected + report->conflicts > 0) {
      LogEvent("info", "federation_pull",
               {{"peer", peer.url},
                {"accepted", report->accepted},
                {"unchanged", report->unchanged},
                {"rejected", report->rejected},
                {"conflicts", report->conflicts},
                {"cursor", report->cursor}});
    }
  }
}

Result<PullReport> Federation::Pull(const Peer& peer_in) {
  std::lock_guard one(mu_);
  Peer peer = peer_in;
  PullReport report;
  report.cursor = peer.cursor;
  AIP_ASSIGN_OR_RETURN(auto base, net::ParseUrl(peer.url));
  net::HttpClientOptions http;
  http.timeout = options_.timeout;
  if (!options_.allow_private) http.allow_address = net::IsPublicAddress;
  net::HttpClient client(base, http);
  std::string prefix = base.target == "/" ? "" : base.target;
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  Status failure;
  for (int page = 0; page < options_.max_pages_per_pull; ++page) {
    std::string target = prefix + "/v1/records?after=" + std::to_string(peer.cursor) + "&limit=" + std::to_string(options_.page);
    auto res = client.Send("GET", target, net::Headers(), "");
    if (!res) {
      failure = res.status();
      break;
    }
    if (res->status != 200) {
      failure = UnavailableError("peer answered HTTP " + std::to_string(res->status));
      break;
    }
    auto records = ParseRecordPage(res->body, peer.cursor, static_cast<std::size_t>(options_.page));
    if (!records) {
      failure = records.status();
      break;
    }
    if (records->empty()) break;
    TimePoint now = clock_->Now();
    for (const auto& rec : *records) {
      auto applied = ApplyRecord(*store_, rec.kind, rec.document, now);
      if (applied) {
        if (applied->outcome == PutOutcome::kUnchanged) {
          ++report.unchanged;
        } else {
          ++report.accepted;
          ++peer.accepted;
        }
      } else if (IsForgery(applied.error())) {
        ++report.rejected;
        ++peer.rejected;
      } else if (applied.error().code == ErrorCode::kAlreadyExists || applied.error().code == ErrorCode::kFailedPrecondition) {
        ++report.conflicts;
        ++peer.conflicts;
      } else {
        failure = applied.status();  // Our own store failed: retry this record next time.
        break;
      }
      peer.cursor = rec.seq;
    }
    if (!failure.ok()) break;
    if (records->size() < static_cast<std::size_t>(options_.page)) break;
  }
  peer.last_error = failure.ok() ? "" : failure.error().message;
  report.cursor = peer.cursor;
  AIP_RETURN_IF_ERROR(store_->RecordPull(peer, clock_->Now()));
  if (!failure.ok()) return failure;
  return report;
}

}  // namespace aip::registry
