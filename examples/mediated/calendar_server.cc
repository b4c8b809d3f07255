// example-calendar-server: a calendar MCP server for the mediated example. Behind the gateway it
// is reached with an API key only the gateway holds (--api-key-env).
#include "aip/base/clock.h"
#include "serve_main.h"

namespace {

using namespace aip;

struct Meeting {
  std::string title;
  int day_offset;  // Days from today (UTC).
  int hour, minute, minutes_long;
  std::string city;
};

const std::vector<Meeting>& Meetings() {
  static const std::vector<Meeting> kMeetings = {
      {"Design review", 1, 14, 0, 60, "Berlin"},
      {"Customer call", 2, 9, 30, 30, "London"},
      {"Offsite planning", 4, 11, 0, 120, "Lisbon"},
  };
  return kMeetings;
}

TimePoint At(const Meeting& m, TimePoint now) {
  auto day = std::chrono::floor<std::chrono::days>(now) + std::chrono::days(m.day_offset);
  return day + std::chrono::hours(m.hour) + std::chrono::minutes(m.minute);
}

json::Object MeetingJson(const Meeting& m, TimePoint now) {
  TimePoint start = At(m, now);
  return json::Object{{"title", m.title},
                      {"start", FormatTime(start)},
                      {"end", FormatTime(start + std::chrono::minutes(m.minutes_long))},
                      {"city", m.city}};
}

}  // namespace

int main(int argc, char** argv) {
  mcp::McpServer server(mcp::Implementation{"example-calendar-server", "0.1.0", "Example Calendar"});
  mcp::ToolDef next;
  next.name = "next_meeting";
  next.title = "Next meeting";
  next.description = "The caller's next meeting: title, start and end (UTC) and city.";
  next.input_schema = json::Object{{"type", "object"}, {"properties", json::Object{}}, {"additionalProperties", false}};
  next.annotations = json::Object{{"readOnlyHint", true}};
  next.handler = [](const json::Object&, mcp::ToolContext&) -> Result<mcp::ToolResult> {
    return mcp::ToolResult::Structured(MeetingJson(Meetings().front(), DefaultClock().Now()));
  };
  mcp::ToolDef list;
  list.name = "list_meetings";
  list.title = "List meetings";
  list.description = "All upcoming meetings.";
  list.input_schema = next.input_schema;
  list.annotations = next.annotations;
  list.handler = [](const json::Object&, mcp::ToolContext&) -> Result<mcp::ToolResult> {
    json::Array all;
    for (const auto& m : Meetings()) all.emplace_back(MeetingJson(m, DefaultClock().Now()));
    return mcp::ToolResult::Structured(json::Object{{"meetings", std::move(all)}});
  };
  if (!server.AddTool(std::move(next)).ok() || !server.AddTool(std::move(list)).ok()) return 3;
  return aip::examples::ServeMain(server, argc, argv);
}
