// Group commit: callers that wait at the same time share one sync, no caller returns before a
// sync that began after it asked, and a failed sync fails everyone from then on.
#include "aip/gateway/group_sync.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "aip/testing/testing.h"

namespace aip::gateway {
namespace {

using namespace std::chrono_literals;
using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(GroupSyncTest, CallersWaitingTogetherShareOneSync) {
  std::atomic<int> syncs{0};
  std::atomic<bool> open{false};
  GroupSync group([&] {
    if (++syncs == 1) {
      while (!open) std::this_thread::sleep_for(1ms);  // The first sync is slow: the others queue meanwhile.
    }
    return OkStatus();
  });
  std::thread first([&] { EXPECT_THAT(group.Wait(), IsOk()); });
  while (syncs == 0) std::this_thread::sleep_for(1ms);
  constexpr int kCallers = 7;
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) callers.emplace_back([&] { EXPECT_THAT(group.Wait(), IsOk()); });
  while (group.waiting() < kCallers) std::this_thread::sleep_for(1ms);
  open = true;
  first.join();
  for (auto& c : callers) c.join();
  EXPECT_EQ(syncs, 2);  // One for the first caller, one for the seven that came while it ran.
  EXPECT_EQ(group.syncs(), 2u);
}

TEST(GroupSyncTest, NoCallerReturnsBeforeASyncThatBeganAfterItsWrite) {
  std::atomic<std::uint64_t> written{0}, durable{0};
  GroupSync group([&] {
    std::uint64_t covered = written.load();  // What a sync beginning now makes durable.
    std::this_thread::sleep_for(200us);
    durable = std::max(durable.load(), covered);
    return OkStatus();
  });
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> early{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::uint64_t mine = ++written;
        ASSERT_THAT(group.Wait(), IsOk());
        if (durable.load() < mine) ++early;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(early, 0);
  EXPECT_LT(group.syncs(), static_cast<std::uint64_t>(kThreads * kEach));  // Shared: 8 callers at a time.
}

TEST(GroupSyncTest, AFailedSyncFailsItsCallersAndEveryCallerAfter) {
  std::atomic<int> syncs{0};
  GroupSync group([&] { return ++syncs == 2 ? UnavailableError("audit log fsync: Input/output error") : OkStatus(); });
  EXPECT_THAT(group.Wait(), IsOk());
  EXPECT_THAT(group.Wait(), StatusIs(ErrorCode::kUnavailable, "Input/output error"));
  // The kernel may have dropped what it could not write: a later sync's success proves nothing.
  EXPECT_THAT(group.Wait(), StatusIs(ErrorCode::kUnavailable, "Input/output error"));
  EXPECT_EQ(syncs, 2);
}

}  // namespace
}  // namespace aip::gateway
