#include "aip/base/clock.h"

#include <charconv>
#include <cstdio>

namespace aip {
namespace {

bool ReadDigits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

std::string FormatTime(TimePoint t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string FormatTimeMillis(TimePoint t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  std::string text = FormatTime(t);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lldZ", static_cast<long long>(ms));
  text.pop_back();  // The 'Z'.
  return text + frac;
}

Result<TimePoint> ParseTime(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, sec;
  auto bad = [&] { return InvalidArgumentError("time: expected YYYY-MM-DDTHH:MM:SSZ"); };
  if (!ReadDigits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !ReadDigits(s, 5, 2, &mo) || s[7] != '-' || !ReadDigits(s, 8, 2, &d) ||
      s[10] != 'T' || !ReadDigits(s, 11, 2, &h) || s[13] != ':' || !ReadDigits(s, 14, 2, &mi) || s[16] != ':' ||
      !ReadDigits(s, 17, 2, &sec)) {
    return bad();
  }
  std::size_t pos = 19;
  nanoseconds frac{0};
  if (s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000000;
    long long ns = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9) return bad();
    frac = nanoseconds(ns);
  }
  seconds offset{0};
  if (pos < s.size() && s[pos] == 'Z' && pos + 1 == s.size()) {
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || !ReadDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) return bad();
    offset = hours(oh) + minutes(om);
    if (s[pos] == '-') offset = -offset;
  } else {
    return bad();
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return InvalidArgumentError("time: field out of range");
  // TimePoint counts nanoseconds in 64 bits (years 1678 to 2261): refuse what it cannot hold
  // rather than overflow.
  if (y < 1900 || y > 2200) return InvalidArgumentError("time: year out of range (1900-2200)");
  TimePoint t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  return t + duration_cast<system_clock::duration>(frac) - offset;
}

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.size() < 2) return InvalidArgumentError("duration: expected a number and a unit (30d, 12h, 15m, 45s)");
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || ptr != text.data() + text.size() - 1 || n <= 0 || n > 36500LL * 86400) {
    return InvalidArgumentError("duration: expected a positive number and a unit (30d, 12h, 15m, 45s)");
  }
  switch (text.back()) {
    case 'd':
      if (n > 36500) break;
      return std::chrono::seconds(n * 86400);
    case 'h':
      if (n > 36500LL * 24) break;
      return std::chrono::seconds(n * 3600);
    case 'm':
      if (n > 36500LL * 1440) break;
      return std::chrono::seconds(n * 60);
    case 's':
      return std::chrono::seconds(n);
    default:
      return InvalidArgumentError("duration: unit must be d, h, m or s");
  }
  return InvalidArgumentError("duration: longer than 100 years");
}

}  // namespace aip
