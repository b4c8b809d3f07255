#include "aip/base/cancellation.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace aip {
namespace {

TEST(CancellationTest, RunsCallbacksOnceAndAtOnceWhenLate) {
  Cancellation c;
  int runs = 0;
  c.OnCancel([&] { ++runs; });
  std::uint64_t removed = c.OnCancel([&] { runs += 100; });
  c.Remove(removed);
  EXPECT_FALSE(c.cancelled());
  c.Cancel();
  c.Cancel();
  EXPECT_TRUE(c.cancelled());
  EXPECT_EQ(runs, 1);
  c.OnCancel([&] { runs += 10; });  // Already cancelled: runs now.
  EXPECT_EQ(runs, 11);
}

// Remove returns only once a running callback has returned: its state may then be freed.
TEST(CancellationTest, RemoveWaitsForARunningCallback) {
  Cancellation c;
  std::atomic<bool> started{false}, finished{false};
  std::uint64_t id = c.OnCancel([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    finished = true;
  });
  std::thread t([&] { c.Cancel(); });
  while (!started) std::this_thread::yield();
  c.Remove(id);
  EXPECT_TRUE(finished);
  t.join();
}

}  // namespace
}  // namespace aip
