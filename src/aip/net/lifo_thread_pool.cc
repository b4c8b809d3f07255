#include "aip/net/lifo_thread_pool.h"

#include <algorithm>

#include "aip/net/busy_poll.h"

namespace aip::net {

LifoThreadPool::LifoThreadPool(int threads) {
  int n = std::max(1, threads);
  for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>());
  for (auto& w : workers_) threads_.emplace_back([this, worker = w.get()] { Loop(*worker); });
}

LifoThreadPool::~LifoThreadPool() { Join(); }

void LifoThreadPool::GrowTo(int threads) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  while (static_cast<int>(workers_.size()) < threads) {
    workers_.push_back(std::make_unique<Worker>());
    threads_.emplace_back([this, worker = workers_.back().get()] { Loop(*worker); });  // Waits for mu_.
  }
}

void LifoThreadPool::Submit(std::unique_ptr<Task> task) {
  std::unique_lock lock(mu_);
  if (idle_.empty()) {
    backlog_.push_back(std::move(task));  // Every thread is busy: the first to finish takes it.
    return;
  }
  Worker* w = poller_ != nullptr ? poller_ : idle_.back();
  idle_.erase(std::find(idle_.begin(), idle_.end(), w));
  bool sleeping = w != poller_;
  if (!sleeping) poller_ = nullptr;  // Taken: the next task goes to another worker.
  w->task = std::move(task);
  w->handed.store(true, std::memory_order_release);
  lock.unlock();
  if (sleeping) w->wake.notify_one();
}

void LifoThreadPool::Loop(Worker& self) {
  std::unique_lock lock(mu_);
  while (true) {
    std::unique_ptr<Task> task;
    if (!backlog_.empty()) {
      task = std::move(backlog_.front());
      backlog_.pop_front();
    } else if (stopping_) {
      return;
    } else {
      idle_.push_back(&self);
      if (poller_ == nullptr && busy_poll::MayPoll(0)) {
        poller_ = &self;
        lock.unlock();
        busy_poll::Poll(0, [&self] { return self.handed.load(std::memory_order_acquire); });
        lock.lock();
        if (poller_ == &self) poller_ = nullptr;  // Gave up (or was not allowed): sleep below.
      }
      self.wake.wait(lock, [&] { return self.task != nullptr || stopping_; });
      if (self.task == nullptr) {
        // Stopping: leave the idle stack, then finish whatever is still queued.
        idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
        continue;
      }
      task = std::move(self.task);
      self.handed.store(false, std::memory_order_relaxed);
    }
    lock.unlock();
    {
      busy_poll::Working working;
      task->Run();
    }
    task.reset();  // Destroyed outside the lock, like it ran.
    lock.lock();
  }
}

void LifoThreadPool::Join() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  for (auto& w : workers_) w->wake.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace aip::net
