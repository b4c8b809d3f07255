#include "aip/net/busy_poll.h"

namespace aip::net::busy_poll {
namespace internal {
std::atomic<long long> budget_ns{0};
std::atomic<int> working{0};
std::atomic<int> off_thread_waits{0};
std::atomic<bool> polling{false};
std::atomic<long long> last_overlap_ns{0};
std::atomic<std::uint64_t> answered{0}, gave_up{0};
}  // namespace internal

void SetBudget(std::chrono::microseconds budget) {
  internal::budget_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(budget).count(), std::memory_order_relaxed);
}

std::chrono::microseconds Budget() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::nanoseconds(internal::budget_ns.load(std::memory_order_relaxed)));
}

Totals PollTotals() { return {internal::answered.load(std::memory_order_relaxed), internal::gave_up.load(std::memory_order_relaxed)}; }

Working::Working() {
  // With polling off, nothing reads the overlap time: no clock read per task.
  if (internal::working.fetch_add(1, std::memory_order_relaxed) >= 1 && internal::budget_ns.load(std::memory_order_relaxed) > 0) {
    internal::last_overlap_ns.store(internal::NowNs(), std::memory_order_relaxed);
  }
}
Working::~Working() { internal::working.fetch_sub(1, std::memory_order_relaxed); }

OffThreadWait::OffThreadWait() { internal::off_thread_waits.fetch_add(1, std::memory_order_relaxed); }
OffThreadWait::~OffThreadWait() { internal::off_thread_waits.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace aip::net::busy_poll
