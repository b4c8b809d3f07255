#include "aip/base/clock.h"

#include <gtest/gtest.h>

#include "aip/testing/testing.h"

namespace aip {
namespace {

using ::aip::testing::IsOk;
using ::aip::testing::StatusIs;

TEST(TimeTest, FormatsAndParsesUtc) {
  auto t = ParseTime("2026-03-01T12:00:00Z");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(FormatTime(*t), "2026-03-01T12:00:00Z");
  EXPECT_EQ(*ParseTime("2026-03-01T13:30:00+01:30"), *t);
  EXPECT_EQ(FormatTime(*ParseTime("2026-03-01T12:00:00.999Z")), "2026-03-01T12:00:00Z");
}

TEST(TimeTest, RejectsLooseForms) {
  for (const char* bad : {"2026-03-01 12:00:00Z", "2026-03-01T12:00:00", "2026-02-30T00:00:00Z", "2026-03-01T24:00:00Z",
                          "2026-03-01T12:00:00z", "2026-03-01T12:00:00.Z", "2026-03-01T12:00:00+0100", "x"}) {
    EXPECT_THAT(ParseTime(bad), StatusIs(ErrorCode::kInvalidArgument)) << bad;
  }
}

TEST(TimeTest, RefusesYearsATimePointCannotHold) {
  // "Forever" spellings must be an error, not an overflow (found by registry_record_fuzzer).
  EXPECT_THAT(ParseTime("9999-12-31T23:59:59Z"), StatusIs(ErrorCode::kInvalidArgument, "year out of range"));
  EXPECT_THAT(ParseTime("0001-01-01T00:00:00Z"), StatusIs(ErrorCode::kInvalidArgument, "year out of range"));
  EXPECT_THAT(ParseTime("2200-12-31T23:59:59Z"), IsOk());
  EXPECT_EQ(FormatTimeMillis(*ParseTime("2026-03-01T12:00:00.25Z")), "2026-03-01T12:00:00.250Z");
}

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(ParseDuration("30d")->count(), 30 * 86400);
  EXPECT_EQ(ParseDuration("2h")->count(), 7200);
  EXPECT_THAT(ParseDuration("0d"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseDuration("5y"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseDuration("d"), StatusIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace aip
