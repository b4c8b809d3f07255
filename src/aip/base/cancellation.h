// Cancellation: a request's "the caller has gone" signal, set once by whoever notices (the HTTP
// server seeing the client close its connection, a notifications/cancelled, a failed write) and
// seen by whoever does the work: polled (`cancelled()`) by code that loops, or acted on at once
// through a callback by code that blocks (a gateway aborting its upstream call).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace aip {

class Cancellation {
 public:
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Cancel sets the signal and runs the callbacks registered so far, once.
  void Cancel();
  // OnCancel registers `fn` to run when Cancel is called — at once, on this thread, if it already
  // was. Returns an id for Remove.
  std::uint64_t OnCancel(std::function<void()> fn);
  // Remove unregisters a callback; if it is running, Remove waits for it to return, so what the
  // callback uses may be freed once Remove returns.
  void Remove(std::uint64_t id);

 private:
  std::atomic<bool> cancelled_{false};
  std::mutex mu_;  // Held while callbacks run: Remove waits for a running one.
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::function<void()>> callbacks_;
};

}  // namespace aip
