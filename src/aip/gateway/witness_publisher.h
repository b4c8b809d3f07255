// WitnessPublisher sends the audit log's checkpoints to a witness (audit_witness.h) from a
// thread of its own, so no call waits on the witness: only the latest checkpoint not yet
// witnessed is kept, retried with backoff while the witness is unreachable. Each receipt is
// checked (the witness's key, the seq and the line's hash) before it counts.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aip/base/status.h"
#include "aip/gateway/metrics.h"

namespace aip::gateway {

class WitnessPublisher {
 public:
  WitnessPublisher(std::string url, std::string witness_did, std::shared_ptr<Metrics> metrics);
  ~WitnessPublisher();  // Tries to deliver what is pending for up to 2 s, then stops.
  WitnessPublisher(const WitnessPublisher&) = delete;
  WitnessPublisher& operator=(const WitnessPublisher&) = delete;

  // Publish queues a checkpoint line (the latest replaces one not yet sent). Never blocks.
  void Publish(std::string checkpoint_line);
  // The seq of the latest checkpoint the witness has countersigned (nothing before the first).
  std::optional<std::uint64_t> witnessed() const;

 private:
  void Run();
  Status Send(const std::string& line);

  std::string url_, witness_did_;
  std::shared_ptr<Metrics> metrics_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::string> pending_;
  std::optional<std::uint64_t> witnessed_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_by_;
  std::thread thread_;
};

}  // namespace aip::gateway
