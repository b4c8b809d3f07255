#include "aip/net/lifo_thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>

namespace aip::net {
namespace {

// One task at a time, each waited for: the thread that just finished is the one that gets the
// next task, so a pool of eight serves them all from one thread.
TEST(LifoThreadPoolTest, SequentialTasksStayOnTheMostRecentlyIdleThread) {
  LifoThreadPool pool(8);
  std::set<std::thread::id> seen;
  for (int i = 0; i < 60; ++i) {
    if (i == 10) seen.clear();  // By now every thread has started and parked.
    std::promise<std::thread::id> ran;
    auto done = ran.get_future();
    pool.Post([&ran] { ran.set_value(std::this_thread::get_id()); });
    seen.insert(done.get());
    // Let the worker park itself again before the next task arrives.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(seen.size(), 1u);
}

// More tasks than threads, each blocking until all have started, could never finish on a pool
// that ran fewer at once; the surplus waits in the backlog and runs when a thread frees up.
TEST(LifoThreadPoolTest, RunsTasksConcurrentlyAndQueuesTheSurplus) {
  LifoThreadPool pool(4);
  std::atomic<int> running{0}, peak{0}, finished{0};
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  for (int i = 0; i < 12; ++i) {
    pool.Post([&, gate] {
      int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {}
      gate.wait();
      --running;
      ++finished;
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (peak.load() < 4 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  release.set_value();
  pool.Join();
  EXPECT_EQ(peak.load(), 4);
  EXPECT_EQ(finished.load(), 12);
}

TEST(LifoThreadPoolTest, JoinRunsWhatWasPostedAndIsIdempotent) {
  std::atomic<int> ran{0};
  LifoThreadPool pool(2);
  for (int i = 0; i < 100; ++i) pool.Post([&ran, owned = std::make_unique<int>(i)] { ran += *owned >= 0 ? 1 : 0; });
  pool.Join();
  pool.Join();
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace aip::net
