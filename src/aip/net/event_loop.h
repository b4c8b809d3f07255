// Waiting without holding a thread. A server whose handlers run on its event loop
// (HttpServerOptions::loop_handlers) runs each request's handler on a fiber (fiber.h): a wait in
// the code it calls must let the loop go on, not block the thread the loop runs on. The waits of
// this module (sockets, see deadline_socket.h) do so by themselves; code elsewhere that waits for
// something other than a socket asks OnEventLoop and uses PauseFor.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace aip::net {

// OnEventLoop: the caller runs in a request's fiber on an event loop, where a blocking wait would
// stall every other connection of that loop.
bool OnEventLoop();

// WaitReady waits until `fd` is ready for `events` (POLLIN or POLLOUT) or `deadline` passes —
// on an event loop by suspending the fiber, elsewhere in poll(). 1: ready (or failed: the next
// read or write says how); 0: the deadline passed; -1: poll() failed (errno).
int WaitReady(int fd, short events, std::chrono::steady_clock::time_point deadline);

// FinishConnect waits, as WaitReady does, for a non-blocking connect(2) on `fd` that returned
// EINPROGRESS: 0 once connected, else the errno that says why not (ETIMEDOUT past `deadline`).
int FinishConnect(int fd, std::chrono::steady_clock::time_point deadline);

// YieldToOthers, on an event loop, suspends the fiber until the loop has run what else was ready
// (other connections' requests, answers that arrived): for work that costs less done once for all
// of them (one write for the audit lines they reach). Elsewhere it returns false at once.
bool YieldToOthers();

// PauseFor waits `d` — on an event loop by suspending the fiber (the loop serves the others
// meanwhile), elsewhere by sleeping.
void PauseFor(std::chrono::microseconds d);

// How often a fiber looks again at a condition it waits for (AwaitUntil): first after
// kLoopRecheck, then twice as long each time up to kLoopRecheckMax, so that many waiters (calls
// queued for a saturated upstream's connections) cost the loop little while they wait.
inline constexpr std::chrono::microseconds kLoopRecheck{200};
inline constexpr std::chrono::microseconds kLoopRecheckMax{5000};

// AwaitUntil waits, holding `lock` whenever it checks, until `ready()` or `deadline` (false);
// `cv` is notified when `ready` may have turned true. On an event loop it cannot wait on `cv`:
// what it waits for may be another request on the same thread (a single-flight fetch, a pooled
// connection), which runs only if this one lets the thread go — so the fiber looks again, from
// every kLoopRecheck to every kLoopRecheckMax, instead.
template <class Ready>
bool AwaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, std::chrono::steady_clock::time_point deadline,
                Ready ready) {
  if (!OnEventLoop()) return cv.wait_until(lock, deadline, ready);
  auto pause = kLoopRecheck;
  while (!ready()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    lock.unlock();
    PauseFor(std::min(pause, std::chrono::ceil<std::chrono::microseconds>(deadline - now)));
    pause = std::min(pause * 2, kLoopRecheckMax);
    lock.lock();
  }
  return true;
}

// Await is AwaitUntil without a deadline.
template <class Ready>
void Await(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Ready ready) {
  AwaitUntil(lock, cv, std::chrono::steady_clock::time_point::max(), ready);
}

// Notification: a one-shot flag that any thread may set and one request waits for — on an event
// loop by suspending its fiber (Notify wakes it through its loop, at once: no rechecking as in
// AwaitUntil), elsewhere on a condition variable. For work handed to a thread of its own (a disk
// sync) whose end a request must wait for. Copies share the flag, so the thread that notifies may
// hold one past the waiter's return. A loop destroyed while its fiber waits is not woken (the
// fiber is abandoned with the loop, fiber.h).
class Notification {
 public:
  Notification();
  void Notify();
  void Wait();
  bool notified() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

namespace internal {
inline constexpr std::size_t kRequestLocals = 8;
std::size_t NewRequestLocal();
void* GetRequestLocal(std::size_t index);
void SetRequestLocal(std::size_t index, void* value);
}  // namespace internal

// RequestLocal<T>: a pointer each request has its own of — its fiber's on an event loop, else
// its thread's — for what code deep in a call reads (a hook's context, say) and the other
// requests a loop thread interleaves with must not see. Defined at namespace scope; at most
// internal::kRequestLocals in a process.
template <class T>
class RequestLocal {
 public:
  RequestLocal() : index_(internal::NewRequestLocal()) {}
  RequestLocal(const RequestLocal&) = delete;
  RequestLocal& operator=(const RequestLocal&) = delete;
  T* get() const { return static_cast<T*>(internal::GetRequestLocal(index_)); }
  void set(T* value) { internal::SetRequestLocal(index_, const_cast<void*>(static_cast<const void*>(value))); }

 private:
  std::size_t index_;
};

}  // namespace aip::net
