// Federation: a registry pulls the records of its peers (`aip registry peer add URL`)
// incrementally — GET {peer}/v1/records?after=<cursor> — and verifies every record as if a client
// had posted it. A peer is never trusted: a forged record (bad signature, bad shape) is rejected
// and counted, a conflicting or stale one (an older registration, a vouch its issuer revoked)
// is refused and counted, and a malformed page stops that pull without moving the cursor.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aip/base/clock.h"
#include "aip/base/json.h"
#include "aip/registry/registry_store.h"

namespace aip::registry {

struct PeerPullOptions {
  std::chrono::seconds interval{10};
  int page = 500;
  int max_pages_per_pull = 20;
  std::chrono::milliseconds timeout{10000};
  // Peers on private, loopback or link-local addresses are refused unless allowed (SSRF).
  bool allow_private = false;
};

struct PullReport {
  std::int64_t accepted = 0, unchanged = 0, rejected = 0, conflicts = 0;
  std::int64_t cursor = 0;
};

// PeerRecord is one entry of a peer's page, not yet verified.
struct PeerRecord {
  std::int64_t seq = 0;
  std::string kind;
  json::Object document;
};

// ParseRecordPage reads a peer's answer to GET /v1/records: at most `max_records` entries whose
// sequence numbers grow strictly from above `after` (a peer could otherwise make us loop or
// skip). Any malformed entry fails the whole page.
Result<std::vector<PeerRecord>> ParseRecordPage(std::string_view body, std::int64_t after, std::size_t max_records);

// ApplyRecord verifies one record — kind "agent", "vouch", "revocation", "rotation" or
// "deactivation" — and stores it; the same path for a client's POST and a peer's page. Returns
// the outcome and the record's key (DID or vouch id), or the error that refused it
// (kInvalidArgument/kUnauthenticated: forged; kAlreadyExists or kFailedPrecondition: conflict).
struct AppliedRecord {
  PutOutcome outcome;
  std::string key;
};
Result<AppliedRecord> ApplyRecord(RegistryStore& store, std::string_view kind, const json::Object& document, TimePoint now);

class Federation {
 public:
  Federation(std::shared_ptr<RegistryStore> store, PeerPullOptions options, const Clock* clock = &DefaultClock())
      : store_(std::move(store)), options_(options), clock_(clock) {}
  // PullDue pulls from every peer whose interval has elapsed.
  void PullDue();
  // Pull pulls from one peer now, updating its cursor and counters in the store.
  Result<PullReport> Pull(const Peer& peer);

 private:
  std::shared_ptr<RegistryStore> store_;
  PeerPullOptions options_;
  const Clock* clock_;
  std::mutex mu_;  // One pull at a time.
  std::map<std::string, std::chrono::steady_clock::time_point> last_pull_;
};

}  // namespace aip::registry
