// LifoThreadPool runs blocking tasks on a fixed set of threads and gives each task to the thread
// that went idle most recently. At low load the same few threads do all the work, with their
// stacks, caches and allocator caches warm; a pool whose threads wait on one shared condition
// variable wakes them in turn, so each request runs on a thread that has been idle longest.
// With busy polling on (busy_poll.h), a worker that goes idle while no other task runs polls
// for the next task for a moment before it sleeps, and gets that task first, so a lone request
// needs no wake-up.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace aip::net {

class LifoThreadPool {
 public:
  explicit LifoThreadPool(int threads);
  ~LifoThreadPool();
  LifoThreadPool(const LifoThreadPool&) = delete;
  LifoThreadPool& operator=(const LifoThreadPool&) = delete;

  // Post runs `task` (a move-only callable) on a pool thread: an idle one, the most recently
  // idled first, or the next to finish its current task.
  template <class F>
  void Post(F&& task) {
    Submit(std::make_unique<Callable<std::decay_t<F>>>(std::forward<F>(task)));
  }

  // GrowTo adds threads until there are `threads` (never fewer than now).
  void GrowTo(int threads);
  // Join runs what was posted, then stops the threads. Idempotent.
  void Join();

 private:
  struct Task {
    virtual ~Task() = default;
    virtual void Run() = 0;
  };
  template <class F>
  struct Callable final : Task {
    explicit Callable(F fn) : f(std::move(fn)) {}
    void Run() override { f(); }
    F f;
  };
  struct Worker {
    std::condition_variable wake;
    std::unique_ptr<Task> task;       // Handed over while the worker sleeps (or polls).
    std::atomic<bool> handed{false};  // A task was handed over: what a polling worker watches.
  };

  void Submit(std::unique_ptr<Task> task);
  void Loop(Worker& self);

  std::mutex mu_;
  std::vector<Worker*> idle_;  // A stack: back() went idle last.
  // The idle worker that is busy polling, if any. It gets the next task before the top of the
  // stack: it is running, so it takes the task without a wake-up, and it need not be the top
  // (it may have started polling before others went idle and slept, the process allowing one
  // poller at a time).
  Worker* poller_ = nullptr;
  std::deque<std::unique_ptr<Task>> backlog_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace aip::net
