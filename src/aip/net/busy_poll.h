// BusyPoll: a process-wide policy of polling for a moment instead of sleeping while the process
// has nothing else to do; off until a budget is set (`aip gateway` sets one by default).
//
// Why: a thread that sleeps until a socket or another thread wakes it needs an interrupt sent to
// its CPU, and on virtual machines a halted virtual CPU takes tens of microseconds to run again.
// A call through the gateway waits that way three times (for its handler thread, for the
// upstream's answer, for the next request), which at low load costs more than the proof check.
// A thread that polls is running when its event comes. The price is CPU time, so polling is
// bounded (`budget` per wait), done by one thread of the process at a time, and only while the
// process is at low load: no more than the allowed number of tasks run now, and no two ran at
// once for the last kQuietPeriod — where sleeping costs latency and the cores are idle anyway.
// Under load every wait blocks as before: as soon as calls overlap, a poller would take CPU time
// the other calls need (at two concurrent calls on two cores it cost a fifth of the throughput).
// HAProxy's `busy-polling` is the same trade, without the load condition.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace aip::net::busy_poll {

// 0 (the default) never polls.
void SetBudget(std::chrono::microseconds budget);
std::chrono::microseconds Budget();

// How often polling ended with what it waited for, and how often it gave up (budget spent, or
// work started elsewhere) and the caller slept after all: whether the budget fits the load.
struct Totals {
  std::uint64_t answered = 0;
  std::uint64_t gave_up = 0;
};
Totals PollTotals();

// Threads that run tasks (the handler pool) hold a Working while they do.
class Working {
 public:
  Working();
  ~Working();
  Working(const Working&) = delete;
  Working& operator=(const Working&) = delete;
};

// A wait for work handed to another thread that takes longer than any budget (a disk sync) holds
// an OffThreadWait: nothing polls meanwhile, since the poll would give up before the answer came.
class OffThreadWait {
 public:
  OffThreadWait();
  ~OffThreadWait();
  OffThreadWait(const OffThreadWait&) = delete;
  OffThreadWait& operator=(const OffThreadWait&) = delete;
};

namespace internal {
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
extern std::atomic<long long> budget_ns;
extern std::atomic<int> working;
extern std::atomic<int> off_thread_waits;
extern std::atomic<bool> polling;
extern std::atomic<long long> last_overlap_ns;  // steady_clock, when two tasks last ran at once.
extern std::atomic<std::uint64_t> answered, gave_up;
constexpr std::chrono::milliseconds kQuietPeriod{50};
inline long long NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace internal

// MayPoll says whether polling is allowed now: a budget is set, no other thread is polling, at
// most `max_working` threads hold a Working (the caller's own counts), no OffThreadWait is held,
// and no two held a Working at once for kQuietPeriod. For callers that must prepare before polling, so that under load (or
// with polling off) they skip the preparation.
inline bool MayPoll(int max_working) {
  using namespace internal;
  return budget_ns.load(std::memory_order_relaxed) > 0 && working.load(std::memory_order_relaxed) <= max_working &&
         off_thread_waits.load(std::memory_order_relaxed) == 0 && !polling.load(std::memory_order_relaxed) &&
         NowNs() - last_overlap_ns.load(std::memory_order_relaxed) >= std::chrono::nanoseconds(kQuietPeriod).count();
}

// Poll calls `ready` until it returns true or the budget is spent, if MayPoll allows and no
// other thread started polling meanwhile; it stops early when more work starts. True: `ready`
// returned true; false: the caller must wait the usual way.
template <class Ready>
bool Poll(int max_working, Ready ready) {
  using namespace internal;
  if (!MayPoll(max_working) || polling.exchange(true, std::memory_order_acquire)) return false;
  long long budget = budget_ns.load(std::memory_order_relaxed);
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(budget);
  bool got = false;
  while (!(got = ready()) && working.load(std::memory_order_relaxed) <= max_working && std::chrono::steady_clock::now() < until) {
    CpuRelax();
  }
  polling.store(false, std::memory_order_release);
  (got ? answered : gave_up).fetch_add(1, std::memory_order_relaxed);
  return got;
}

}  // namespace aip::net::busy_poll
