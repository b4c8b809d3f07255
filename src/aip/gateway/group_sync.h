// GroupSync makes what a log has written durable in batches (group commit, as databases do for
// their write-ahead logs): one sync covers every caller that asked before it began. The sync runs
// on a thread of its own, so a caller on an event loop waits without holding the loop's thread
// (a disk sync there would stall every connection of the loop), and callers that wait at the same
// time share one sync instead of queueing for the disk one by one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "aip/base/status.h"
#include "aip/net/event_loop.h"

namespace aip::gateway {

class GroupSync {
 public:
  // `sync` makes everything written so far durable (fdatasync); it runs on GroupSync's thread.
  explicit GroupSync(std::function<Status()> sync);
  ~GroupSync();  // Serves the callers still waiting, then stops the thread.
  GroupSync(const GroupSync&) = delete;
  GroupSync& operator=(const GroupSync&) = delete;

  // Wait returns once a sync that began after the call has succeeded. A failed sync fails its
  // callers and every caller after it: the kernel may have dropped the data it could not write,
  // so a later sync's success would not prove it durable (fail closed; a restart starts afresh).
  Status Wait();
  std::uint64_t syncs() const;  // Syncs run so far.
  std::size_t waiting() const;  // Callers waiting for the next sync.

 private:
  void Run();

  std::function<Status()> sync_;
  mutable std::mutex mu_;
  std::condition_variable work_;
  std::vector<net::Notification> waiting_;  // For the next sync.
  Status failed_;                           // The first failure; sticky.
  std::uint64_t syncs_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aip::gateway
