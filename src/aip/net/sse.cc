#include "aip/net/sse.h"

namespace aip::net {

std::string FormatSseEvent(std::string_view data, std::string_view event, std::string_view id) {
  std::string out;
  if (!event.empty()) out += "event: " + std::string(event) + "\n";
  if (!id.empty()) out += "id: " + std::string(id) + "\n";
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    out += "data: ";
    out += data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out += "\n";
  return out;
}

Status SseParser::Feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event) {
  pending_.append(bytes);
  std::size_t start = 0;
  while (true) {
    std::size_t nl = pending_.find_first_of("\r\n", start);
    if (nl == std::string::npos) break;
    std::string_view line(pending_.data() + start, nl - start);
    Line(line, on_event);
    start = nl + 1;
    if (pending_[nl] == '\r' && start < pending_.size() && pending_[start] == '\n') ++start;
  }
  pending_.erase(0, start);
  if (pending_.size() + current_.data.size() > max_) return ResourceExhaustedError("SSE event too large");
  return OkStatus();
}

void SseParser::Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event) {
  if (line.empty()) {
    if (has_data_) {
      if (!current_.data.empty() && current_.data.back() == '\n') current_.data.pop_back();
      on_event(current_);
    }
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (line[0] == ':') return;  // Comment (keep-alive).
  std::size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (field == "data") {
    current_.data.append(value);
    current_.data.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  } else if (field == "id") {
    current_.id = std::string(value);
  }
}

}  // namespace aip::net
