// example-conformance-server: the conformance suite's fixtures on aip's server SDK.
#include "conformance_server.h"
#include "serve_main.h"

int main(int argc, char** argv) {
  auto server = aip::examples::MakeConformanceServer();
  return aip::examples::ServeMain(*server, argc, argv);
}
