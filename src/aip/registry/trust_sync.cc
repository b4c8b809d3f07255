#include "aip/registry/trust_sync.h"

#include <set>

#include "aip/trust/vouch.h"

namespace aip::registry {
namespace {

// SyncIdentity stores the verified rotation chain and deactivation of `did` and hands each of
// its other keys to `also`. A registry without the identities route has none to give.
template <typename F>
Status SyncIdentity(RegistryClient& client, trust::TrustStore& store, const std::string& did, TrustSyncReport& report, F also) {
  if (!did.starts_with("did:key:")) return OkStatus();
  auto history = client.History(did);
  if (!history) {
    if (history.error().code == ErrorCode::kNotFound) return OkStatus();
    if (history.error().code == ErrorCode::kUnavailable || history.error().code == ErrorCode::kInternal) return history.status();
    ++report.rejected;  // Served but not believable: ignore it.
    return OkStatus();
  }
  for (const auto& r : history->rotations) {
    AIP_ASSIGN_OR_RETURN(bool stored, store.AddRotation(r));
    if (stored) ++report.identity_records;
    also(r.previous_did);
    also(r.next_did);
  }
  if (history->deactivation) {
    AIP_ASSIGN_OR_RETURN(bool stored, store.AddDeactivation(*history->deactivation));
    if (stored) ++report.identity_records;
  }
  return OkStatus();
}

}  // namespace

json::Object TrustSyncReport::ToJson() const {
  return json::Object{
      {"added", added}, {"known", known}, {"revocations", revocations}, {"identity_records", identity_records}, {"rejected", rejected}};
}

Result<TrustSyncReport> SyncTrust(RegistryClient& client, trust::TrustStore& store, const std::vector<std::string>& anchors,
                                  const TrustSyncOptions& options, TimePoint now) {
  TrustSyncReport report;
  std::vector<std::string> frontier = anchors;
  std::set<std::string> visited(frontier.begin(), frontier.end());
  int seen = 0;
  for (int hop = 0; hop < options.depth && !frontier.empty() && seen < options.max_vouches; ++hop) {
    std::vector<std::string> next;
    for (std::size_t i = 0; i < frontier.size(); ++i) {
      const std::string issuer = frontier[i];
      // The identity first: its other keys join this hop (a rotated key's vouches live under
      // the new key), and its records let the trust engine count them as one.
      AIP_RETURN_IF_ERROR(SyncIdentity(client, store, issuer, report, [&](const std::string& did) {
        if (visited.insert(did).second) frontier.push_back(did);
      }));
      AIP_ASSIGN_OR_RETURN(json::Object page, client.Vouches("issuer", issuer));
      if (const json::Value* revs = page.if_contains("revocations"); revs != nullptr && revs->is_array()) {
        for (const auto& doc : revs->get_array()) {
          auto r = doc.is_object() ? trust::VerifyRevocation(doc.get_object())
                                   : Result<trust::Revocation>(InvalidArgumentError("not an object"));
          if (!r) {
            ++report.rejected;
            continue;
          }
          AIP_ASSIGN_OR_RETURN(bool stored, store.AddRevocation(*r));
          if (stored) ++report.revocations;
        }
      }
      const json::Value* vouches = page.if_contains("vouches");
      if (vouches == nullptr || !vouches->is_array()) {
        ++report.rejected;  // A page without its list: nothing to believe in it.
        continue;
      }
      for (const auto& item : vouches->get_array()) {
        if (++seen > options.max_vouches) break;
        const json::Value* doc = item.is_object() ? item.get_object().if_contains("document") : nullptr;
        auto v = doc != nullptr && doc->is_object() ? trust::VerifyVouch(doc->get_object())
                                                    : Result<trust::Vouch>(InvalidArgumentError("no document"));
        if (!v || v->issuer != issuer) {
          ++report.rejected;  // The registry served something its issuer did not sign: ignore it.
          continue;
        }
        auto stored = store.AddVouch(*v, "registry", now);
        if (!stored) {
          if (stored.status().code() != ErrorCode::kFailedPrecondition) return stored.status();
          ++report.known;  // Revoked here already.
          continue;
        }
        *stored ? ++report.added : ++report.known;
        if (visited.insert(v->subject).second) next.push_back(v->subject);
      }
    }
    frontier = std::move(next);
  }
  return report;
}

}  // namespace aip::registry
