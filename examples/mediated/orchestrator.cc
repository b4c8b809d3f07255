// example-orchestrator: an agent that answers "will it rain during my next meeting?" by calling
// the calendar and then the weather server, both through the gateway, each call signed with
// the agent's own key ($AIP_HOME). It holds no API key: the gateway has them.
//   example-orchestrator http://127.0.0.1:8080/mcp
#include <iostream>

#include "aip/identity/key_store.h"
#include "aip/mcp/client.h"
#include "aip/mcpsig/authenticator.h"

using namespace aip;

namespace {

Result<json::Object> Structured(const json::Object& result) {
  const json::Value* s = result.if_contains("structuredContent");
  if (s == nullptr || !s->is_object()) return InvalidArgumentError("the tool returned no structured content");
  if (result.contains("isError") && result.at("isError") == true) return InvalidArgumentError(json::Serialize(*s));
  return s->get_object();
}

Status Run(const std::string& url) {
  auto env = identity::IdentityFromEnvironment();
  AIP_RETURN_IF_ERROR(env.status());
  Result<identity::Identity> id = *env ? Result<identity::Identity>(std::move(**env))
                                       : identity::KeyStore(identity::KeyStore::DefaultHome()).Load(identity::PassphraseFromEnvironment());
  AIP_RETURN_IF_ERROR(id.status());
  auto me = std::make_shared<const identity::Identity>(std::move(*id));
  mcpsig::SignedClientConfig sc;
  sc.signer = me;
  sc.audience = url;
  AIP_ASSIGN_OR_RETURN(auto transport, mcp::HttpClientTransport(url));
  mcp::McpClient client(std::move(transport), mcpsig::SignedClientOptions(sc));
  AIP_RETURN_IF_ERROR(client.Connect());
  std::cout << "agent " << me->did() << "\n";
  AIP_ASSIGN_OR_RETURN(json::Object meeting_result, client.CallTool("calendar.next_meeting", json::Object{}));
  AIP_ASSIGN_OR_RETURN(json::Object meeting, Structured(meeting_result));
  std::string title(meeting.at("title").as_string()), city(meeting.at("city").as_string()), start(meeting.at("start").as_string());
  std::cout << "next meeting: \"" << title << "\" at " << start << " in " << city << "\n";
  AIP_ASSIGN_OR_RETURN(json::Object forecast_result,
                       client.CallTool("weather.get_forecast", json::Object{{"city", city}, {"time", start}}));
  AIP_ASSIGN_OR_RETURN(json::Object forecast, Structured(forecast_result));
  std::int64_t chance = forecast.at("rain_chance_percent").as_int64();
  std::cout << "forecast: " << chance << "% chance of rain (" << std::string(forecast.at("summary").as_string()) << ")\n";
  std::cout << "answer: " << (chance >= 50 ? "yes, it will probably rain during your next meeting - take an umbrella" : "probably not")
            << "\n";
  return OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: example-orchestrator GATEWAY_URL\n";
    return 2;
  }
  Status s = Run(argv[1]);
  if (!s.ok()) {
    std::cerr << "example-orchestrator: " << s.message() << "\n";
    return 3;
  }
  return 0;
}
