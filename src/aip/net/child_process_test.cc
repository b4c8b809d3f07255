// A spawned program's pipes: lines go both ways, and a child that stops reading its input holds a
// write only until the deadline (it would otherwise hold a handler thread, or an event loop, for ever).
#include "aip/net/child_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "aip/testing/testing.h"

namespace aip::net {
namespace {

using namespace std::chrono_literals;
using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(ChildProcessTest, LinesGoBothWays) {
  auto child = ChildProcess::Spawn({"cat"});
  ASSERT_THAT(child, IsOk());
  ASSERT_THAT((*child)->WriteLine("hello"), IsOk());
  auto line = (*child)->ReadLine(1024, 5s);
  ASSERT_THAT(line, IsOk());
  EXPECT_EQ(*line, "hello");
}

TEST(ChildProcessTest, AChildThatStopsReadingHoldsAWriteOnlyUntilTheDeadline) {
  auto child = ChildProcess::Spawn({"sleep", "30"});  // Never reads its input.
  ASSERT_THAT(child, IsOk());
  std::string big(1 << 20, 'x');  // More than a pipe holds.
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT((*child)->WriteLine(big, 200ms), StatusIs(ErrorCode::kUnavailable, "stopped reading"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
  (*child)->Shutdown(100ms);
}

}  // namespace
}  // namespace aip::net
