// Prints N signed tools/call requests (one JSON line each, distinct nonces) for an audience:
// the input of the signed-call HTTP load test. Usage: make_signed_requests N AUDIENCE [PREFIX]
// Without PREFIX each is list_tasks; with it, create_task titled PREFIX-<i>, so an upstream's
// record shows how often each one ran.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aip/base/json.h"
#include "aip/mcpsig/request_proof.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: make_signed_requests N AUDIENCE [PREFIX]\n");
    return 2;
  }
  long n = std::strtol(argv[1], nullptr, 10);
  auto agent = aip::identity::Identity::Generate("load", "", aip::DefaultClock().Now());
  for (long i = 0; i < n; ++i) {
    auto r = aip::json::ParseJsonObject(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_tasks","arguments":{"project":"project-a"},)"
        R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})");
    if (argc == 4) {
      auto& params = (*r)["params"].as_object();
      params["name"] = "create_task";
      params["arguments"] = aip::json::Object{{"project", "project-a"}, {"title", std::string(argv[3]) + "-" + std::to_string(i)}};
    }
    if (!aip::mcpsig::SignRequest(*r, agent, {argv[2], std::chrono::seconds(300), &aip::DefaultClock()}).ok()) return 3;
    std::printf("%s\n", aip::json::Serialize(*r).c_str());
  }
  return 0;
}
