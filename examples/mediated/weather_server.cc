// example-weather-server: a weather MCP server for the mediated example (deterministic
// forecasts, so the story and its tests always tell the same thing). Behind the gateway it is
// reached with its own API key, different from the calendar's.
#include "aip/base/clock.h"
#include "serve_main.h"

namespace {

using namespace aip;

// Chance of rain in percent: fixed for the example's cities, derived from the name elsewhere.
int RainChance(const std::string& city) {
  if (city == "Berlin") return 80;
  if (city == "London") return 55;
  if (city == "Lisbon") return 5;
  unsigned h = 0;
  for (char c : city) h = h * 31 + static_cast<unsigned char>(c);
  return static_cast<int>(h % 100);
}

}  // namespace

int main(int argc, char** argv) {
  mcp::McpServer server(mcp::Implementation{"example-weather-server", "0.1.0", "Example Weather"});
  mcp::ToolDef forecast;
  forecast.name = "get_forecast";
  forecast.title = "Forecast";
  forecast.description = "Chance of rain in a city at a time (RFC 3339, UTC).";
  forecast.input_schema =
      json::Object{{"type", "object"},
                   {"properties", json::Object{{"city", json::Object{{"type", "string"}, {"minLength", 1}, {"maxLength", 100}}},
                                               {"time", json::Object{{"type", "string"}}}}},
                   {"required", json::Array{"city", "time"}},
                   {"additionalProperties", false}};
  forecast.annotations = json::Object{{"readOnlyHint", true}};
  forecast.handler = [](const json::Object& args, mcp::ToolContext&) -> Result<mcp::ToolResult> {
    std::string city(args.at("city").as_string());
    std::string time(args.at("time").as_string());
    if (!ParseTime(time)) return mcp::ToolResult::Error("time must be RFC 3339, e.g. 2026-11-23T14:00:00Z");
    int chance = RainChance(city);
    json::Object out{{"city", city},
                     {"time", time},
                     {"rain_chance_percent", chance},
                     {"summary", chance >= 50   ? "rain likely"
                                 : chance >= 20 ? "showers possible"
                                                : "dry"}};
    return mcp::ToolResult::Structured(std::move(out));
  };
  if (!server.AddTool(std::move(forecast)).ok()) return 3;
  return aip::examples::ServeMain(server, argc, argv);
}
