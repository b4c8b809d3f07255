#include "aip/net/busy_poll.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "aip/net/lifo_thread_pool.h"

namespace aip::net {
namespace {

using namespace std::chrono_literals;

// Each test starts after a quiet period (no load left by an earlier test), sets the process-wide
// budget, and puts it back to 0 (off) when done.
class BusyPollTest : public ::testing::Test {
 protected:
  void SetUp() override { std::this_thread::sleep_for(busy_poll::internal::kQuietPeriod); }
  void TearDown() override { busy_poll::SetBudget(0us); }
};

TEST_F(BusyPollTest, NeverPollsWithoutABudget) {
  int calls = 0;
  EXPECT_FALSE(busy_poll::Poll(1, [&] { return ++calls > 0; }));
  EXPECT_EQ(calls, 0);
}

TEST_F(BusyPollTest, ReturnsOnceReadyAndGivesUpWhenTheBudgetIsSpent) {
  busy_poll::SetBudget(20ms);
  EXPECT_EQ(busy_poll::Budget(), 20ms);
  auto before = busy_poll::PollTotals();
  int calls = 0;
  EXPECT_TRUE(busy_poll::Poll(0, [&] { return ++calls == 3; }));
  EXPECT_EQ(calls, 3);

  busy_poll::SetBudget(2ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(busy_poll::Poll(0, [] { return false; }));
  auto spent = std::chrono::steady_clock::now() - start;
  EXPECT_GE(spent, 2ms);
  EXPECT_LT(spent, 2s);
  auto after = busy_poll::PollTotals();
  EXPECT_EQ(after.answered - before.answered, 1u);
  EXPECT_EQ(after.gave_up - before.gave_up, 1u);
}

TEST_F(BusyPollTest, OnlyWhenAtMostTheAllowedTasksRun) {
  busy_poll::SetBudget(20ms);
  busy_poll::Working one;
  int calls = 0;
  EXPECT_FALSE(busy_poll::Poll(0, [&] { return ++calls > 0; }));  // A task runs: sleep instead.
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(busy_poll::Poll(1, [&] { return ++calls > 0; }));  // The caller's own task.
}

TEST_F(BusyPollTest, NotWhileARequestWaitsForAnotherThreadsLongWork) {
  busy_poll::SetBudget(20ms);
  int calls = 0;
  {
    busy_poll::OffThreadWait disk_sync;
    EXPECT_FALSE(busy_poll::Poll(1, [&] { return ++calls > 0; }));
    EXPECT_EQ(calls, 0);
  }
  EXPECT_TRUE(busy_poll::Poll(1, [&] { return ++calls > 0; }));
}

TEST_F(BusyPollTest, NotWhileCallsOverlapNorForAQuietPeriodAfter) {
  busy_poll::SetBudget(20ms);
  {
    busy_poll::Working one, two;  // Two tasks at once: the process is under load.
  }
  int calls = 0;
  EXPECT_FALSE(busy_poll::Poll(0, [&] { return ++calls > 0; }));
  EXPECT_EQ(calls, 0);
  std::this_thread::sleep_for(busy_poll::internal::kQuietPeriod + 10ms);
  EXPECT_TRUE(busy_poll::Poll(0, [&] { return ++calls > 0; }));
}

TEST_F(BusyPollTest, StopsEarlyWhenWorkStarts) {
  busy_poll::SetBudget(10s);
  std::atomic<bool> polling = false;
  auto poller = std::async(std::launch::async, [&] {
    auto start = std::chrono::steady_clock::now();
    bool got = busy_poll::Poll(0, [&] {
      polling = true;
      return false;
    });
    return std::make_pair(got, std::chrono::steady_clock::now() - start);
  });
  while (!polling) std::this_thread::yield();
  busy_poll::Working work;  // Load arrives: the poller must give its CPU back.
  auto [got, spent] = poller.get();
  EXPECT_FALSE(got);
  EXPECT_LT(spent, 5s);
}

TEST_F(BusyPollTest, OneThreadPollsAtATime) {
  busy_poll::SetBudget(10s);
  std::atomic<bool> polling = false, release = false;
  auto first = std::async(std::launch::async, [&] {
    return busy_poll::Poll(0, [&] {
      polling = true;
      return release.load();
    });
  });
  while (!polling) std::this_thread::yield();
  int calls = 0;
  EXPECT_FALSE(busy_poll::Poll(0, [&] { return ++calls > 0; }));
  EXPECT_EQ(calls, 0);
  release = true;
  EXPECT_TRUE(first.get());
}

// With polling on, a pool worker that went idle polls for the next task and takes it when it is
// handed over; tasks handed to sleeping workers, or queued while all are busy, all run too, and
// Join still ends the pool.
TEST_F(BusyPollTest, APoolWhoseWorkersPollRunsEveryTask) {
  std::atomic<int> ran = 0;
  auto run_one = [&](LifoThreadPool& pool) {
    std::promise<void> done;
    pool.Post([&] {
      ++ran;
      done.set_value();
    });
    done.get_future().wait();
  };
  auto wait_for_a_poller = [] {
    auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!busy_poll::internal::polling.load() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    return busy_poll::internal::polling.load();
  };
  // Hand-over: each task is posted while an idle worker polls (the pool hands the next task to
  // its poller first), so a long budget makes every round a hand-over to a poller — decided by
  // the order of events, not by how fast this machine is.
  busy_poll::SetBudget(1s);
  {
    LifoThreadPool pool(3);
    auto before = busy_poll::PollTotals();
    constexpr int kRounds = 20;
    for (int round = 0; round < kRounds; ++round) {
      ASSERT_TRUE(wait_for_a_poller()) << "no idle worker polled, round " << round;
      run_one(pool);
    }
    // A poll could still give up if this thread were held off the CPU for the whole budget
    // between seeing the poller and posting; on any machine most rounds are answered.
    EXPECT_GE(busy_poll::PollTotals().answered - before.answered, kRounds / 2);

    // Sleeping workers: a short budget that each poller spends before the next task comes.
    busy_poll::SetBudget(1ms);
    for (int round = 0; round < 20; ++round) {
      run_one(pool);
      std::this_thread::sleep_for(3ms);
    }
    // Queued while every worker is busy.
    for (int i = 0; i < 100; ++i) pool.Post([&] { ++ran; });
    pool.Join();
  }
  EXPECT_EQ(ran, 140);
}

}  // namespace
}  // namespace aip::net
