// Server-Sent Events (WHATWG HTML §9.2): formatting events for responses and an incremental
// parser for clients. The parser bounds the size of one event.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "aip/base/status.h"

namespace aip::net {

struct SseEvent {
  std::string event;  // Empty means "message".
  std::string data;
  std::string id;
};

// FormatSseEvent renders one event; multi-line data becomes several "data:" lines.
std::string FormatSseEvent(std::string_view data, std::string_view event = "", std::string_view id = "");

class SseParser {
 public:
  explicit SseParser(std::size_t max_event_bytes = 8 * 1024 * 1024) : max_(max_event_bytes) {}
  // Feed consumes bytes and calls `on_event` for each complete event; fails when an event
  // grows past the limit.
  Status Feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event);

 private:
  void Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event);
  std::size_t max_;
  std::string pending_;
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace aip::net
