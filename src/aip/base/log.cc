#include "aip/base/log.h"

#include <unistd.h>

#include <mutex>

#include "aip/base/clock.h"

namespace aip {

void LogEvent(std::string_view level, std::string_view event, json::Object fields) {
  json::Object line{{"time", FormatTime(DefaultClock().Now())}, {"level", level}, {"event", event}};
  for (auto& [k, v] : fields) line[k] = std::move(v);
  std::string text = json::Serialize(json::Value(std::move(line))) + "\n";
  static std::mutex mu;
  std::lock_guard lock(mu);
  for (std::string_view rest = text; !rest.empty();) {
    ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace aip
