#include "aip/base/cancellation.h"

namespace aip {

void Cancellation::Cancel() {
  std::lock_guard lock(mu_);
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  for (auto& [id, fn] : callbacks_) fn();
  callbacks_.clear();
}

std::uint64_t Cancellation::OnCancel(std::function<void()> fn) {
  std::unique_lock lock(mu_);
  if (cancelled()) {
    lock.unlock();
    fn();
    return 0;
  }
  std::uint64_t id = next_id_++;
  callbacks_.emplace(id, std::move(fn));
  return id;
}

void Cancellation::Remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  callbacks_.erase(id);
}

}  // namespace aip
