#include "aip/gateway/group_sync.h"

#include <utility>

#include "aip/net/busy_poll.h"

namespace aip::gateway {

GroupSync::GroupSync(std::function<Status()> sync) : sync_(std::move(sync)), thread_([this] { Run(); }) {}

GroupSync::~GroupSync() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

Status GroupSync::Wait() {
  net::Notification synced;
  {
    std::lock_guard lock(mu_);
    if (!failed_.ok()) return failed_;
    if (stopping_) return UnavailableError("audit log: closing");
    waiting_.push_back(synced);
  }
  work_.notify_one();
  net::busy_poll::OffThreadWait no_polling;  // A sync outlasts any polling budget.
  synced.Wait();
  std::lock_guard lock(mu_);
  return failed_;
}

std::uint64_t GroupSync::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

std::size_t GroupSync::waiting() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void GroupSync::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    work_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // Stopping, and nobody waits.
    // Everyone who asked so far had written before asking: one sync that begins now covers them.
    std::vector<net::Notification> batch = std::exchange(waiting_, {});
    bool failed = !failed_.ok();
    lock.unlock();
    Status synced = failed ? OkStatus() : sync_();
    lock.lock();
    if (!failed) ++syncs_;
    if (!synced.ok() && failed_.ok()) failed_ = synced;
    for (auto& caller : batch) caller.Notify();
  }
}

}  // namespace aip::gateway
