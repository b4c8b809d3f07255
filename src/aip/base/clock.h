// Time: an injectable clock (so tests never sleep) and strict RFC 3339 / XML Schema dateTime
// text, the form W3C Data Integrity and Verifiable Credentials use.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "aip/base/status.h"

namespace aip {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// SystemClock is the real wall clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// DefaultClock returns a process-wide SystemClock.
const Clock& DefaultClock();

// FormatTime renders `t` in UTC with whole seconds: "2026-03-01T12:00:00Z".
std::string FormatTime(TimePoint t);
// FormatTimeMillis renders milliseconds too: "2026-03-01T12:00:00.250Z".
std::string FormatTimeMillis(TimePoint t);

// ParseTime accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" and nothing else.
Result<TimePoint> ParseTime(std::string_view text);

// ParseDuration reads "30d", "12h", "15m", "45s" (one unit) for expiry flags.
Result<std::chrono::seconds> ParseDuration(std::string_view text);

}  // namespace aip
